package ai.dynamo.deploy.cli;

import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * For verbs that find a deploy and look at it or end it ({@code status}, {@code logs}, {@code history},
 * {@code cancel}, {@code abort}, {@code uninstall}): the target flags that say where it is and how to get there,
 * without those that only shape what a deploy applies ({@code --partition}, {@code --toleration}, ...). Those did
 * nothing there but fill the help with some thirty flags; given anyway, they are now an unknown option with a
 * did-you-mean, as kubectl answers a flag a verb does not take.
 */
public final class PlaceFlagsOnly implements CommandLine.IModelTransformer {
  /** The target flags that shape what a deploy applies: every {@link TargetOptions} flag but the place's. */
  static final Set<String> DEPLOY_ONLY = Set.of("--create-namespace", "--force-conflicts", "--multinode",
      "--toleration", "--gpu-toleration", "--image-pull-secret", "--service-account", "--priority-class",
      "--runtime-class", "--scheduler-name", "--pod-label", "--pod-annotation", "--partition", "--account", "--time",
      "--sbatch-arg", "--container", "--strategy", "--blue-green-grace");

  @Override
  public CommandSpec transform(CommandSpec spec) {
    for (String name : DEPLOY_ONLY) {
      OptionSpec option = spec.findOption(name);
      if (option != null) spec.remove(option);
    }
    return spec;
  }
}

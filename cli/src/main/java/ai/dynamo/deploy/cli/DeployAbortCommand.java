package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.client.DeployDecisions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code dynamo deploy abort NAME}: a paused deploy ends without rollback. */
@Command(name = "abort", mixinStandardHelpOptions = true, modelTransformer = PlaceFlagsOnly.class,
    description = {
      "End a paused deploy WITHOUT rolling back: what the failed revision applied stays as it is"
          + " (half-updated) and the revision is not recorded. Clean up or redeploy by hand afterwards.",
      "Only jobs submitted held for a wave that never came (Slurm), which never started, are cancelled; the"
          + " answer names them."
    },
    footerHeading = "%nExample:%n", footer = "  dynamo deploy abort my-graph")
final class DeployAbortCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeployRef deploy;

  @Override
  public Integer call() {
    DeployDecisions.Outcome r = deploy.run("abort", false,
        (client, found) -> DeployDecisions.decide(client, found.workflowId(), "abort"));
    spec.commandLine().getOut().println(r.message());
    return ExitCodes.OK;
  }
}

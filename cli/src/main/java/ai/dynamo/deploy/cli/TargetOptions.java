package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.TargetChoice;
import ai.dynamo.deploy.render.TargetSettings;
import ai.dynamo.deploy.workflows.Durations;
import ai.dynamo.deploy.workflows.UpdateSettings;
import ai.dynamo.deploy.workflows.UpdateStrategy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The target and its settings. Flags override the {@code --profile} file; keys are those of
 * {@link TargetSettings}.
 */
public final class TargetOptions {
  @Option(names = "--target", paramLabel = "TARGET", defaultValue = "k8s",
      description = "k8s or slurm (default: ${DEFAULT-VALUE}).")
  String kind;

  @Option(names = "--profile", paramLabel = "FILE",
      description = "Target profile file (YAML, one section per target: k8s: {namespace: ...}, slurm: {partition: ...}).")
  Path profile;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "k8s: namespace (default: default).")
  String namespace;

  @Option(names = "--context", paramLabel = "CTX", description = "k8s: kubeconfig context (default: current).")
  String context;

  @Option(names = "--create-namespace", description = "k8s: create the namespace when it is missing.")
  boolean createNamespace;

  // Off by default: taking over fields that another manager (kubectl, an operator) owns must be a decision.
  @Option(names = "--force-conflicts", description = "k8s: take over fields another field manager owns.")
  boolean forceConflicts;

  @Option(names = "--ssh-host", paramLabel = "[USER@]HOST[:PORT]", description = "slurm: login node (or ~/.ssh/config alias).")
  String sshHost;

  @Option(names = "--ssh-key", paramLabel = "FILE", description = "slurm: private key; replaces ~/.ssh/config's IdentityFile.")
  String sshKey;

  @Option(names = "--ssh-config", paramLabel = "FILE", description = "slurm: OpenSSH client config (default: ~/.ssh/config).")
  String sshConfig;

  @Option(names = "--known-hosts", paramLabel = "FILE",
      description = "slurm: known_hosts the login node's key is checked against (default: ~/.ssh/known_hosts).")
  String knownHosts;

  // Off by default: an unknown host key is refused unless the user opts in here; a changed key is always refused.
  @Option(names = "--accept-new-host-key",
      description = "slurm: trust and record an unknown login-node host key (never a changed one).")
  boolean acceptNewHostKey;

  @Option(names = "--partition", paramLabel = "P", description = "slurm: #SBATCH --partition.")
  String partition;

  @Option(names = "--account", paramLabel = "A", description = "slurm: #SBATCH --account.")
  String account;

  @Option(names = "--time", paramLabel = "LIMIT", description = "slurm: #SBATCH --time, e.g. 04:00:00.")
  String time;

  @Option(names = "--sbatch-arg", paramLabel = "ARG",
      description = "slurm: extra sbatch option, e.g. --sbatch-arg=--qos=high (repeatable).")
  List<String> sbatchArgs = new ArrayList<>();

  @Option(names = "--remote-dir", paramLabel = "DIR", description = "slurm: working directory on the cluster.")
  String remoteDir;

  @Option(names = "--container", paramLabel = "RUNTIME", description = "slurm: container runtime, none or pyxis.")
  String container;

  @Option(names = "--strategy", paramLabel = "STRATEGY",
      description = {"How changed components are replaced: auto (default: blue-green when a second copy fits now,",
          "else recreate), recreate (stop, then start) or blue-green (new beside old). Per component: the profile's",
          "components: {NAME: {strategy: ...}} or --set strategy.NAME=..."})
  String strategy;

  @Option(names = "--blue-green-grace", paramLabel = "DURATION",
      description = "How long a blue/green copy may stay pending for lack of resources before its component fails (default: 2m).")
  String blueGreenGrace;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Any target setting by its key (repeatable), for settings without a flag of their own.")
  Map<String, String> extra = new LinkedHashMap<>();

  public TargetChoice resolve() {
    Map<String, String> flags = new LinkedHashMap<>(extra);
    flags.put(TargetSettings.K8S_NAMESPACE, namespace);
    flags.put(TargetSettings.K8S_CONTEXT, context);
    flags.put(TargetSettings.K8S_CREATE_NAMESPACE, createNamespace ? "true" : null);
    flags.put(TargetSettings.K8S_FORCE_CONFLICTS, forceConflicts ? "true" : null);
    flags.put(TargetSettings.SLURM_SSH_HOST, sshHost);
    flags.put(TargetSettings.SLURM_SSH_KEY, sshKey);
    flags.put(TargetSettings.SLURM_SSH_CONFIG, sshConfig);
    flags.put(TargetSettings.SLURM_KNOWN_HOSTS, knownHosts);
    flags.put(TargetSettings.SLURM_ACCEPT_NEW_HOST_KEY, acceptNewHostKey ? "true" : null);
    flags.put(TargetSettings.SLURM_PARTITION, partition);
    flags.put(TargetSettings.SLURM_ACCOUNT, account);
    flags.put(TargetSettings.SLURM_TIME, time);
    flags.put(TargetSettings.SLURM_SBATCH_EXTRA, sbatchArgs.isEmpty() ? null : String.join("\n", sbatchArgs));
    flags.put(TargetSettings.SLURM_REMOTE_DIR, remoteDir);
    flags.put(TargetSettings.SLURM_CONTAINER, container);
    flags.put(UpdateSettings.STRATEGY, checkedStrategy(strategy));
    flags.put(UpdateSettings.BLUE_GREEN_GRACE_SECONDS, graceSeconds(blueGreenGrace));
    // A flag of the other target is a mistake worth reporting rather than silently ignoring.
    TargetChoice.checkFlagsApply(kind, flags);
    return TargetChoice.of(kind, profile, flags);
  }

  private static String checkedStrategy(String value) {
    if (value == null) return null;
    try {
      return UpdateStrategy.parse(value).label();
    } catch (IllegalArgumentException e) {
      throw new UserError(ExitCodes.INVALID, "error: --strategy: " + e.getMessage());
    }
  }

  private static String graceSeconds(String value) {
    if (value == null) return null;
    try {
      return Long.toString(Durations.parse(value).toSeconds());
    } catch (IllegalArgumentException e) {
      throw new UserError(ExitCodes.INVALID, "error: --blue-green-grace: " + e.getMessage());
    }
  }
}

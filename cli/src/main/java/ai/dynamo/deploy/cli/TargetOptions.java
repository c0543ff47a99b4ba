package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.KubeconfigIdentity;
import ai.dynamo.deploy.cli.action.TargetChoice;
import ai.dynamo.deploy.render.TargetSettings;
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
  /** The default target when none is named: Kubernetes. */
  static final String DEFAULT_KIND = TargetChoice.K8S;

  @Option(names = "--target", paramLabel = "TARGET",
      description = "The target: k8s or slurm (default: k8s; for a deployed graph: where it is deployed).")
  String kind;

  @Option(names = "--profile", paramLabel = "FILE",
      description = "Target profile file (YAML, one section per target: k8s: {namespace: ...}, slurm: {partition: ...}).")
  Path profile;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "k8s: namespace (default: default).")
  String namespace;

  @Option(names = "--context", paramLabel = "CTX", description = "k8s: kubeconfig context (default: current).")
  String context;

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "k8s: kubeconfig file; its context and API server go to the worker and into the deploy's location.")
  Path kubeconfig;

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

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Any target setting by its key (repeatable), for settings without a flag of their own.")
  Map<String, String> extra = new LinkedHashMap<>();

  /** {@code --target}, else {@link #DEFAULT_KIND}. */
  public String kind() {
    return kind == null ? DEFAULT_KIND : kind;
  }

  /** {@code --target} when given, else null. */
  String kindGiven() {
    return kind;
  }

  /** The {@code --kubeconfig} file, or null. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /**
   * Whether the flags name a place (namespace, context, kubeconfig, login node, a contributed target's location, or
   * a profile): then a graph name means the deploy there, without asking Temporal where it is.
   */
  boolean namesPlace() {
    return namespace != null || context != null || kubeconfig != null || sshHost != null || profile != null
        || extra.containsKey(TargetChoice.LOCATION);
  }

  /** The settings the flags give (no profile, no defaults): they win over a deploy's memo. */
  Map<String, String> given() {
    Map<String, String> flags = flags();
    flags.values().removeIf(java.util.Objects::isNull);
    return flags;
  }

  public TargetChoice resolve() {
    Map<String, String> flags = flags();
    // A flag of the other target is a mistake worth reporting rather than silently ignoring.
    TargetChoice.checkFlagsApply(kind(), flags);
    if (kubeconfig != null) {
      if (!kind().equals(TargetChoice.K8S)) {
        throw new UserError(ExitCodes.INVALID, "error: --kubeconfig applies to --target k8s, not " + kind());
      }
      flags.putAll(KubeconfigIdentity.read(kubeconfig, context).settings());
    }
    return TargetChoice.of(kind(), profile, flags);
  }

  private Map<String, String> flags() {
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
    return flags;
  }
}

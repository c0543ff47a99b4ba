package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.Invocation;
import ai.dynamo.deploy.cli.action.Kubeconfig;
import ai.dynamo.deploy.cli.action.KubeconfigIdentity;
import ai.dynamo.deploy.cli.action.KubeconfigNamespace;
import ai.dynamo.deploy.cli.action.RunInCallersProcess;
import ai.dynamo.deploy.cli.action.TargetChoice;
import ai.dynamo.deploy.cli.action.TargetProfile;
import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.workflows.Durations;
import ai.dynamo.deploy.workflows.UpdateSettings;
import ai.dynamo.deploy.workflows.UpdateStrategy;
import ai.dynamo.deploy.render.k8s.K8sRenderer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The target and its settings. Flags override the {@code --profile} file; keys are those of
 * {@link TargetSettingKeys}.
 */
public final class TargetOptions implements InvocationFactory.ReadsInvocation {
  /** The caller (its environment: KUBECONFIG, HOME); null when built without the factory (then this process). */
  private Invocation invocation;

  @Override
  public void use(Invocation invocation) {
    this.invocation = invocation;
  }

  /** The default target when none is named: Kubernetes. */
  static final String DEFAULT_KIND = TargetChoice.K8S;

  @Option(names = "--target", paramLabel = "TARGET",
      description = "The target: k8s or slurm (default: k8s; for a deployed graph: where it is deployed).")
  String kind;

  @Option(names = "--profile", paramLabel = "FILE",
      description = "Target profile file (YAML, one section per target: k8s: {namespace: ...}, slurm: {partition: ...}).")
  Path profile;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "k8s: namespace (default: the kubeconfig context's namespace, else default).")
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

  @Option(names = "--multinode", paramLabel = "MODE",
      description = "k8s: multi-node groups as statefulset (default), lws (LeaderWorkerSet) or auto (lws when the cluster serves it).")
  String multinode;

  @Option(names = "--toleration", paramLabel = "KEY[=VALUE][:EFFECT]",
      description = "k8s: toleration of every pod, kubectl taint syntax (repeatable).")
  List<String> tolerations = new ArrayList<>();

  // The default (nvidia.com/gpu:NoSchedule on GPU pods) is documented; this flag replaces it, `none` removes it.
  @Option(names = "--gpu-toleration", paramLabel = "KEY[=VALUE][:EFFECT]",
      description = "k8s: toleration of pods that request GPUs, replacing the default nvidia.com/gpu:NoSchedule; none for none (repeatable).")
  List<String> gpuTolerations = new ArrayList<>();

  @Option(names = "--image-pull-secret", paramLabel = "NAME", description = "k8s: imagePullSecrets entry of every pod (repeatable).")
  List<String> imagePullSecrets = new ArrayList<>();

  @Option(names = "--service-account", paramLabel = "NAME", description = "k8s: serviceAccountName of every pod.")
  String serviceAccount;

  @Option(names = "--priority-class", paramLabel = "NAME", description = "k8s: priorityClassName of every pod.")
  String priorityClass;

  @Option(names = "--runtime-class", paramLabel = "NAME", description = "k8s: runtimeClassName of every pod, e.g. nvidia.")
  String runtimeClass;

  @Option(names = "--scheduler-name", paramLabel = "NAME", description = "k8s: schedulerName of every pod.")
  String schedulerName;

  @Option(names = "--pod-label", paramLabel = "KEY=VALUE", description = "k8s: extra label of every pod (repeatable).")
  List<String> podLabels = new ArrayList<>();

  @Option(names = "--pod-annotation", paramLabel = "KEY=VALUE",
      description = "k8s: extra annotation of every pod (repeatable).")
  List<String> podAnnotations = new ArrayList<>();

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
      description = "How changed components are replaced: auto (default: blue-green when a second copy fits now,"
          + " else recreate), recreate (stop, then start) or blue-green (new beside old). Per component: the profile's"
          + " components: {NAME: {strategy: ...}} or --set strategy.NAME=...")
  String strategy;

  @Option(names = "--blue-green-grace", paramLabel = "DURATION",
      description = "How long a blue/green copy may stay pending for lack of resources before its component fails (default: 2m).")
  String blueGreenGrace;

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
        || extra.containsKey(TargetSettingKeys.LOCATION);
  }

  /** The settings the flags give (no profile, no defaults): they win over a deploy's memo. */
  Map<String, String> given() {
    return collect().settings();
  }

  /**
   * The settings the flags give, each with the flag it came from ({@code --partition}, {@code --set key}), for
   * messages that name the flag.
   */
  record Given(Map<String, String> settings, Map<String, String> origin) {}

  public TargetChoice resolve() {
    Given given = collect();
    Map<String, String> flags = new LinkedHashMap<>(given.settings());
    // A flag of the other target is a mistake worth reporting rather than silently ignoring.
    TargetChoice.checkFlagsApply(kind(), kind == null, flags, given.origin());
    if (TargetChoice.K8S.equals(kind())) {
      flags.forEach((key, value) -> {
        String problem = K8sRenderer.settingProblem(key, value);
        if (problem != null) {
          throw new UserError(ExitCodes.INVALID, "error: " + given.origin().getOrDefault(key, key) + ": " + problem);
        }
      });
    }
    Kubeconfig read = null; // --kubeconfig, read once for both its identity and its namespace
    if (kubeconfig != null) {
      if (!kind().equals(TargetChoice.K8S)) {
        throw new UserError(ExitCodes.INVALID, "error: --kubeconfig applies to --target k8s, not --target " + kind());
      }
      read = Kubeconfig.read(kubeconfig);
      flags.putAll(KubeconfigIdentity.of(read, context).settings());
    }
    Map<String, String> fallbacks = new LinkedHashMap<>();
    if (TargetChoice.K8S.equals(kind()) && namespace == null) {
      // As kubectl and helm: without -n, the kubeconfig context's namespace (a profile's namespace still wins).
      fallbacks.put(TargetSettingKeys.K8S_NAMESPACE, read != null ? KubeconfigNamespace.of(List.of(read), context)
          : KubeconfigNamespace.of(null, context, invocation == null ? System.getenv() : invocation.env()));
    }
    return TargetChoice.of(kind(), profile, flags, fallbacks);
  }

  /**
   * In the daemon, a command whose Slurm settings name a relative ssh config ({@code --ssh-config}, {@code --set},
   * or the profile) goes back to its caller's process before it writes anything ({@link RunInCallersProcess}): the
   * CLI reads that file to name the login node, relative to its process's directory, and the daemon's is not the
   * caller's. Settings that do not resolve are left for the command to report where it always does.
   */
  void handBackIfRelativeSshConfig() {
    if (invocation == null || invocation.host().callersOwnProcess()) return;
    boolean relative;
    try {
      String config = collect().settings().get(TargetSettingKeys.SLURM_SSH_CONFIG);
      if (config == null && profile != null) {
        config = TargetProfile.read(profile, kind()).get(TargetSettingKeys.SLURM_SSH_CONFIG);
      }
      relative = config != null && !config.isBlank() && !Path.of(config).isAbsolute();
    } catch (RuntimeException unresolved) {
      return;
    }
    if (relative) {
      throw new RunInCallersProcess("a relative ssh config is read in the command's own directory, not the daemon's");
    }
  }

  /** Checks the flags given for a deploy found by name against the target it is on. */
  void checkApplyTo(String deployedKind) {
    Given given = collect();
    TargetChoice.checkFlagsApply(deployedKind, false, given.settings(), given.origin());
  }

  private Given collect() {
    Map<String, String> flags = new LinkedHashMap<>(extra);
    // which flag a setting came from, for error messages
    Map<String, String> origin = new LinkedHashMap<>();
    extra.keySet().forEach(key -> origin.put(key, "--set " + key));
    flag(flags, origin, TargetSettingKeys.K8S_NAMESPACE, "--namespace", namespace);
    flag(flags, origin, TargetSettingKeys.K8S_CONTEXT, "--context", context);
    flag(flags, origin, TargetSettingKeys.K8S_CREATE_NAMESPACE, "--create-namespace", createNamespace ? "true" : null);
    flag(flags, origin, TargetSettingKeys.K8S_FORCE_CONFLICTS, "--force-conflicts", forceConflicts ? "true" : null);
    flag(flags, origin, TargetSettingKeys.K8S_MULTINODE, "--multinode", multinode);
    flag(flags, origin, TargetSettingKeys.K8S_TOLERATIONS, "--toleration", lines(tolerations));
    flag(flags, origin, TargetSettingKeys.K8S_GPU_TOLERATIONS, "--gpu-toleration", lines(gpuTolerations));
    flag(flags, origin, TargetSettingKeys.K8S_IMAGE_PULL_SECRETS, "--image-pull-secret", lines(imagePullSecrets));
    flag(flags, origin, TargetSettingKeys.K8S_SERVICE_ACCOUNT, "--service-account", serviceAccount);
    flag(flags, origin, TargetSettingKeys.K8S_PRIORITY_CLASS, "--priority-class", priorityClass);
    flag(flags, origin, TargetSettingKeys.K8S_RUNTIME_CLASS, "--runtime-class", runtimeClass);
    flag(flags, origin, TargetSettingKeys.K8S_SCHEDULER, "--scheduler-name", schedulerName);
    flag(flags, origin, TargetSettingKeys.K8S_POD_LABELS, "--pod-label", lines(podLabels));
    flag(flags, origin, TargetSettingKeys.K8S_POD_ANNOTATIONS, "--pod-annotation", lines(podAnnotations));
    flag(flags, origin, TargetSettingKeys.SLURM_SSH_HOST, "--ssh-host", sshHost);
    flag(flags, origin, TargetSettingKeys.SLURM_SSH_KEY, "--ssh-key", sshKey);
    flag(flags, origin, TargetSettingKeys.SLURM_SSH_CONFIG, "--ssh-config", sshConfig);
    flag(flags, origin, TargetSettingKeys.SLURM_KNOWN_HOSTS, "--known-hosts", knownHosts);
    flag(flags, origin, TargetSettingKeys.SLURM_ACCEPT_NEW_HOST_KEY, "--accept-new-host-key",
        acceptNewHostKey ? "true" : null);
    flag(flags, origin, TargetSettingKeys.SLURM_PARTITION, "--partition", partition);
    flag(flags, origin, TargetSettingKeys.SLURM_ACCOUNT, "--account", account);
    flag(flags, origin, TargetSettingKeys.SLURM_TIME, "--time", time);
    flag(flags, origin, TargetSettingKeys.SLURM_SBATCH_EXTRA, "--sbatch-arg", lines(sbatchArgs));
    flag(flags, origin, TargetSettingKeys.SLURM_REMOTE_DIR, "--remote-dir", remoteDir);
    flag(flags, origin, TargetSettingKeys.SLURM_CONTAINER, "--container", container);
    flag(flags, origin, UpdateSettings.STRATEGY, "--strategy", checkedStrategy(strategy));
    flag(flags, origin, UpdateSettings.BLUE_GREEN_GRACE_SECONDS, "--blue-green-grace", graceSeconds(blueGreenGrace));
    return new Given(flags, origin);
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

  private static void flag(Map<String, String> flags, Map<String, String> origin, String key, String name,
      String value) {
    if (value == null) return;
    flags.put(key, value);
    origin.put(key, name);
  }

  /** A repeatable flag as a list setting (one entry per line), or null when not given. */
  private static String lines(List<String> values) {
    for (String v : values) {
      if (v.contains("\n")) {
        throw new UserError(ExitCodes.INVALID, "error: a line break in \"" + v.replace("\n", "\\n")
            + "\": each value of a repeatable flag is one line");
      }
    }
    return values.isEmpty() ? null : String.join("\n", values);
  }
}

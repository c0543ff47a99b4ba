package ai.dynamo.deploy.ir;

/**
 * The keys of target settings: what the IR does not hold and each target needs. Values come from CLI flags or a
 * target profile file and travel as a sorted string map (see the README's "Target settings" table). Declared once
 * here, below every module that reads or writes them: the renderers, the targets, the CLI's flags and profiles, and
 * the workflows' suggested commands. Names only; what a value means is up to the module that reads it.
 */
public final class TargetSettingKeys {
  private TargetSettingKeys() {}

  // Kubernetes
  /** namespace to deploy into; default {@code default} */
  public static final String K8S_NAMESPACE = "namespace";
  /** kubeconfig context; default: the current context */
  public static final String K8S_CONTEXT = "context";
  /**
   * the API server URL the context must point at (set from {@code --kubeconfig}: the worker checks its own kubeconfig
   * agrees, and the server is part of the deploy's location)
   */
  public static final String K8S_SERVER = "server";

  /** {@code true}: create the namespace when it is missing; default {@code false} (a missing namespace is an error) */
  public static final String K8S_CREATE_NAMESPACE = "createNamespace";
  /** {@code true}: take over fields another field manager owns; default {@code false} (a conflict is an error) */
  public static final String K8S_FORCE_CONFLICTS = "forceConflicts";
  /** seconds a pod may stay Unschedulable before the deploy fails; default 300 */
  public static final String K8S_UNSCHEDULABLE_GRACE_SECONDS = "unschedulableGraceSeconds";
  /**
   * how a multi-node service group is run: {@code statefulset} (default: leader and worker StatefulSets),
   * {@code lws} (one LeaderWorkerSet), {@code auto} ({@code lws} when the cluster serves the LeaderWorkerSet API;
   * decided at deploy time, so files cannot be rendered with it)
   */
  public static final String K8S_MULTINODE = "multinode";
  /** tolerations of every pod, one {@code KEY[=VALUE][:EFFECT]} per line (kubectl taint syntax); default none */
  public static final String K8S_TOLERATIONS = "tolerations";
  /**
   * tolerations of the pods that request GPUs, one {@code KEY[=VALUE][:EFFECT]} per line; default
   * {@code nvidia.com/gpu:NoSchedule}; {@code none} for none
   */
  public static final String K8S_GPU_TOLERATIONS = "gpuTolerations";
  /** Secrets holding registry credentials, one name per line ({@code imagePullSecrets} of every pod) */
  public static final String K8S_IMAGE_PULL_SECRETS = "imagePullSecrets";
  /** {@code serviceAccountName} of every pod; default: the namespace's default service account */
  public static final String K8S_SERVICE_ACCOUNT = "serviceAccountName";
  /** {@code priorityClassName} of every pod */
  public static final String K8S_PRIORITY_CLASS = "priorityClassName";
  /** {@code runtimeClassName} of every pod (e.g. {@code nvidia}) */
  public static final String K8S_RUNTIME_CLASS = "runtimeClassName";
  /** {@code schedulerName} of every pod; default: the cluster's default scheduler */
  public static final String K8S_SCHEDULER = "schedulerName";
  /** extra labels of every pod, one {@code KEY=VALUE} per line (pods only, never selectors) */
  public static final String K8S_POD_LABELS = "podLabels";
  /** extra annotations of every pod, one {@code KEY=VALUE} per line */
  public static final String K8S_POD_ANNOTATIONS = "podAnnotations";

  // Both targets' render input that is no flag or profile key
  /**
   * the deploy's readiness timeout per component ({@code --timeout}) in seconds: Kubernetes' startup probe allows a
   * pod this long to start, so the kubelet never kills a model the deploy still waits for. Set by dynamo from the
   * deploy's options (the Kubernetes target) or from {@code --timeout} ({@code --out_dir}); its default and bounds
   * are render's {@code TargetSettings}.
   */
  public static final String READINESS_TIMEOUT_SECONDS = "readinessTimeoutSeconds";

  // Slurm
  /** {@code [user@]host[:port]} or an ~/.ssh/config alias of the login node */
  public static final String SLURM_SSH_HOST = "sshHost";
  /** private key file for the login node; replaces the ~/.ssh/config IdentityFile */
  public static final String SLURM_SSH_KEY = "sshKey";
  /** OpenSSH client config file; default ~/.ssh/config */
  public static final String SLURM_SSH_CONFIG = "sshConfig";
  /** known_hosts file the login node's host key is verified against; default ~/.ssh/known_hosts */
  public static final String SLURM_KNOWN_HOSTS = "knownHosts";
  /** {@code true}: trust and record an unknown host key (never a changed one); default {@code false} */
  public static final String SLURM_ACCEPT_NEW_HOST_KEY = "acceptNewHostKey";
  /** {@code #SBATCH --partition} */
  public static final String SLURM_PARTITION = "partition";
  /** {@code #SBATCH --account} */
  public static final String SLURM_ACCOUNT = "account";
  /** {@code #SBATCH --time}, Slurm time format, e.g. {@code 04:00:00} or {@code 2-00:00:00} */
  public static final String SLURM_TIME = "time";
  /** extra {@code #SBATCH} lines, one per line, written verbatim after ours */
  public static final String SLURM_SBATCH_EXTRA = "sbatchExtra";
  /** remote working directory on the cluster, under which each graph and revision gets a directory */
  public static final String SLURM_REMOTE_DIR = "remoteDir";
  /** container runtime: {@code none} (default) or {@code pyxis} */
  public static final String SLURM_CONTAINER = "container";
  /**
   * {@code true} (default): a deploy submits the components a later wave adds with the wave before, held until
   * their wave starts (docs/workflow.md "Held starts"); {@code false}: each wave is submitted once the one before is
   * ready
   */
  public static final String SLURM_HELD_STARTS = "heldStarts";

  // Contributed targets
  /** the place of a contributed target (the tests' fake target), given as {@code --set location=...}; default local */
  public static final String LOCATION = "location";
}

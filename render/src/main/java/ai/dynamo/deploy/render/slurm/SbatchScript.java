package ai.dynamo.deploy.render.slurm;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.Names;
import ai.dynamo.deploy.ir.Quantities;
import ai.dynamo.deploy.ir.Readiness;
import ai.dynamo.deploy.ir.ShellQuote;
import ai.dynamo.deploy.render.ComponentProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The sbatch script of one component replica. Layout (docs/slurm.md): {@code #SBATCH} header, shell helpers, the
 * held start, environment (secret directories, then the user's variables in order), then the process: one
 * {@code srun} step per node; in a multi-node group the leader first, then, once {@code start-workers} appears in the job's
 * directory, the workers.
 *
 * <p>Every user value is single-quoted ({@link ShellQuote}); values the script computes at run time (node rank,
 * leader address) are double-quoted variable expansions. Secret values never appear: the script reads them from
 * files when it runs.
 */
final class SbatchScript {
  private SbatchScript() {}

  /** What a replica's script reads secrets from when {@code DYNAMO_SECRETS_DIR} is not set. */
  static final String DEFAULT_SECRETS_DIR = "$HOME/.dynamo/secrets/";

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
  private static final String RANK_EXPR = "\"$dyn_rank\"";
  private static final String ADDR_EXPR = "\"$DYN_LEADER_ADDR\"";

  static String render(Graph graph, Component c, int replica, SlurmOptions options) {
    int nodes = c.multiNode().numNodes();
    String stem = SlurmNames.stem(c.name(), replica);
    String kind = c.isBatch() ? "batch (runs to completion)" : "service (runs until cancelled)";
    StringBuilder s = new StringBuilder();
    s.append("#!/bin/bash\n");
    s.append("# Rendered by dynamo-deploy for Slurm; re-render rather than edit. Layout: docs/slurm.md.\n");
    s.append("# graph ").append(Names.dnsLabel(graph.name())).append(", component ").append(Names.dnsLabel(c.name()))
        .append(", replica ").append(replica).append(" of ").append(c.replicas()).append(", ").append(nodes)
        .append(nodes == 1 ? " node" : " nodes").append(", ").append(kind).append('\n');
    s.append("# Submit from the rendered directory: sbatch ").append(SlurmNames.scriptPath(c.name(), replica)).append('\n');

    sbatch(s, "--job-name=" + SlurmNames.jobName(graph, c.name(), replica));
    sbatch(s, "--nodes=" + nodes);
    sbatch(s, "--ntasks-per-node=1");
    Integer cpus = cpusPerTask(c);
    if (cpus != null) sbatch(s, "--cpus-per-task=" + cpus);
    if (c.resources().memory() != null) sbatch(s, "--mem=" + memoryMiB(c) + "M");
    if (c.resources().gpu() > 0) sbatch(s, "--gres=gpu:" + c.resources().gpu());
    if (!c.nodeSelector().isEmpty()) sbatch(s, "--constraint=" + SlurmNames.constraint(c.nodeSelector()));
    sbatch(s, "--output=" + stem + "/" + SlurmNames.output("%j"));
    if (options.partition() != null) sbatch(s, "--partition=" + options.partition());
    if (options.account() != null) sbatch(s, "--account=" + options.account());
    if (options.time() != null) sbatch(s, "--time=" + options.time());
    for (String extra : options.extraLines()) sbatch(s, extra);

    boolean secretVars = c.environment().stream().anyMatch(EnvVar::isSecret);
    boolean secretDirs = !c.secrets().isEmpty();
    s.append("\nset -uo pipefail\n");
    s.append("DYN_JOB_DIR=\"${SLURM_SUBMIT_DIR:-$PWD}/").append(stem).append("\"\n");
    s.append("DYN_STATUS_FILE=\"$DYN_JOB_DIR/").append(JobStatusScript.STATUS_FILE).append("\"\n");
    if (secretVars || secretDirs) {
      s.append("DYN_SECRETS_DIR=\"${DYNAMO_SECRETS_DIR:-").append(DEFAULT_SECRETS_DIR)
          .append(Names.dnsLabel(graph.name())).append("}\"\n");
    }
    // Only the helpers this script calls, so every line of a script is used.
    s.append(LOG_HELPER);
    s.append(JobStatusScript.STATE_HELPER);
    if (nodes > 1 || secretVars || secretDirs || checksPort(c)) s.append(FAIL_HELPER);
    if (secretVars || secretDirs) s.append(SECRET_FILE_HELPER);
    if (secretDirs) s.append(SECRET_DIR_HELPER);
    s.append(JobStatusScript.AWAIT_FILE_HELPER); // every script has the held start

    s.append(JobStatusScript.WAIT_FOR_START);
    // A single process's port is its node's: checked first, before any secret is read into the job.
    if (nodes == 1) portFree(s, c, "\"${SLURMD_NODENAME:-$(hostname)}\"");
    environment(s, c);
    process(s, c, nodes, cpus, options);
    return s.toString();
  }

  private static void sbatch(StringBuilder s, String option) {
    s.append("#SBATCH ").append(option).append('\n');
  }

  /** CPUs rounded up to whole CPUs ({@code 500m} is 1), or null when the component does not say. */
  static Integer cpusPerTask(Component c) {
    if (c.resources().cpu() == null) return null;
    long millis = Quantities.cpuMillis(c.resources().cpu());
    if (millis < 0) throw new IllegalArgumentException("component " + c.name() + ": bad cpu " + c.resources().cpu());
    return (int) Math.max(1, (millis + 999) / 1000);
  }

  /** Memory in MiB (Slurm's {@code M}), rounded up. */
  static long memoryMiB(Component c) {
    long bytes = Quantities.memoryBytes(c.resources().memory());
    if (bytes < 0) throw new IllegalArgumentException("component " + c.name() + ": bad memory " + c.resources().memory());
    return Math.max(1, (bytes + (1L << 20) - 1) >> 20);
  }

  private static void environment(StringBuilder s, Component c) {
    if (c.secrets().isEmpty() && c.environment().isEmpty()) return;
    s.append("\n# Environment: whole secrets first, then the component's variables in order (a variable wins).\n");
    for (String secret : c.secrets()) {
      s.append("dyn_secret_dir \"$DYN_SECRETS_DIR\"/").append(ShellQuote.quote(secretName(c, secret))).append('\n');
    }
    for (EnvVar e : c.environment()) {
      if (!ENV_NAME.matcher(e.name()).matches()) {
        throw new IllegalArgumentException(
            "component " + c.name() + ": environment variable name \"" + e.name() + "\" is not a shell variable name");
      }
      if (e.isSecret()) {
        s.append("dyn_secret_file ").append(e.name()).append(" \"$DYN_SECRETS_DIR\"/")
            .append(ShellQuote.quote(secretName(c, e.secretRef()))).append('\n');
      } else {
        s.append("export ").append(e.name()).append('=').append(ShellQuote.quote(e.value())).append('\n');
      }
    }
  }

  /** A secret name becomes a file or directory name, so it must not be able to leave the secrets directory. */
  private static String secretName(Component c, String name) {
    if (!SECRET_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("component " + c.name() + ": secret name \"" + name
          + "\" cannot be a file name on the cluster (letters, digits, '_', '.', '-'; not starting with '.' or '-')");
    }
    return name;
  }

  private static void process(StringBuilder s, Component c, int nodes, Integer cpus, SlurmOptions options) {
    List<String> argv = ComponentProcess.argv(c);
    String srun = srunPrefix(c, cpus, options);
    s.append('\n');
    if (nodes == 1) {
      s.append("dyn_log \"job ${SLURM_JOB_ID:-?} on ${SLURM_JOB_NODELIST:-?}\"\n");
      s.append(srun).append(" -- ").append(ShellQuote.quoteAll(argv)).append(" &\n");
      s.append("DYN_PIDS=(\"$!\")\n");
      s.append("dyn_log \"process started\"\n");
      s.append("dyn_state started \"on ${SLURMD_NODENAME:-$(hostname)}\"\n");
      readiness(s, c);
    } else {
      String pinned = ComponentProcess.pinnedLeaderHost(c);
      int port = ComponentProcess.leaderPort(c);
      s.append("# Multi-node group: rank 0 (the leader) on the first node, ranks 1..").append(nodes - 1)
          .append(" on the others.\n");
      // A here-string, not a process substitution: the later `wait -n` must only see the srun steps.
      s.append("mapfile -t DYN_NODES <<<\"$(scontrol show hostnames \"$SLURM_JOB_NODELIST\")\"\n");
      s.append("(( ${#DYN_NODES[@]} == ").append(nodes)
          .append(" )) || dyn_fail \"expected ").append(nodes).append(" nodes, got: ${DYN_NODES[*]}\"\n");
      s.append("DYN_LEADER_NODE=\"${DYN_NODES[0]}\"\n");
      if (pinned == null) {
        s.append("DYN_LEADER_HOST=\"$DYN_LEADER_NODE\"\n");
      } else {
        s.append("# leader_addr pins the leader host; rank 0 runs on that node when it is in the allocation.\n");
        s.append("DYN_LEADER_HOST=").append(ShellQuote.quote(pinned)).append('\n');
        s.append("for dyn_node in \"${DYN_NODES[@]}\"; do\n");
        s.append("  if [[ \"$dyn_node\" == \"$DYN_LEADER_HOST\" ]]; then DYN_LEADER_NODE=\"$dyn_node\"; fi\n");
        s.append("done\n");
      }
      s.append("DYN_LEADER_ADDR=\"$DYN_LEADER_HOST:").append(port).append("\"\n");
      s.append("DYN_WORKER_NODES=()\n");
      s.append("for dyn_node in \"${DYN_NODES[@]}\"; do\n");
      s.append("  if [[ \"$dyn_node\" != \"$DYN_LEADER_NODE\" ]]; then DYN_WORKER_NODES+=(\"$dyn_node\"); fi\n");
      s.append("done\n");
      s.append("# A start-workers file from an earlier job of this replica must not release this job's workers.\n");
      s.append("rm -f \"$DYN_JOB_DIR/start-workers\"\n");
      s.append("printf '%s\\n' \"$DYN_LEADER_ADDR\" >\"$DYN_JOB_DIR/leader-addr\"\n");
      s.append("dyn_log \"job ${SLURM_JOB_ID:-?} on ${DYN_NODES[*]}; leader $DYN_LEADER_NODE, address $DYN_LEADER_ADDR\"\n");
      portFree(s, c, "\"$DYN_LEADER_HOST\"");
      s.append("dyn_rank=0\n");
      s.append(srun).append(" --nodelist=\"$DYN_LEADER_NODE\" -- ").append(processWords(argv, nodes)).append(" &\n");
      s.append("DYN_PIDS=(\"$!\")\n");
      s.append("dyn_log \"leader started (rank 0 on $DYN_LEADER_NODE)\"\n");
      s.append("dyn_state started \"leader on $DYN_LEADER_NODE\"\n");
      readiness(s, c);
      s.append(JobStatusScript.WAIT_FOR_START_WORKERS);
      s.append("dyn_rank=1\n");
      s.append("# Each worker rank writes to a file of its own (rank 0, the leader, to the job's output file).\n");
      s.append("for dyn_node in \"${DYN_WORKER_NODES[@]}\"; do\n");
      s.append("  ").append(srun).append(" --nodelist=\"$dyn_node\" --output=\"$DYN_JOB_DIR/")
          .append(SlurmNames.RANK_OUTPUT_PATTERN).append("\" -- ").append(processWords(argv, nodes)).append(" &\n");
      s.append("  DYN_PIDS+=(\"$!\")\n");
      s.append("  dyn_rank=$((dyn_rank + 1))\n");
      s.append("done\n");
      s.append("dyn_log \"workers started (ranks 1..").append(nodes - 1).append(" on ${DYN_WORKER_NODES[*]})\"\n");
      s.append("dyn_state workers-started \"on ${DYN_WORKER_NODES[*]}\"\n");
    }
    s.append(c.isBatch() ? WAIT_ALL : WAIT_ANY);
  }

  /**
   * The readiness port must be free before the process starts. One that answers already is another program's:
   * another replica of the component placed on this node (Slurm places jobs without regard to ports), or an old
   * process. Its answers would pass for this process's, so the job would be called ready while its own process
   * fails to bind; it fails at once instead, saying why.
   */
  private static void portFree(StringBuilder s, Component c, String host) {
    if (!checksPort(c)) return;
    Readiness rule = ComponentProcess.readiness(c);
    s.append('\n');
    s.append("DYN_PROBE_HOST=").append(host).append('\n');
    s.append("# Port ").append(rule.port()).append(" must be free before the process starts: one that answers already is")
        .append(" another program's, whose answers would pass for this one's.\n");
    s.append("if { : 3<>\"/dev/tcp/$DYN_PROBE_HOST/").append(rule.port()).append("\"; } 2>/dev/null; then\n");
    s.append("  dyn_fail \"port ").append(rule.port())
        .append(" on $DYN_PROBE_HOST answers before this job's process started: another program holds it (another")
        .append(" replica of ")
        .append(c.name().matches("[A-Za-z0-9_.-]+") ? c.name() : "this component") // inside "...": plain words only
        .append(" on this node? Slurm places jobs without regard to ports)\"\n");
    s.append("fi\n");
  }

  /** A service whose readiness rule has a port (TCP, HTTP): the port must be free before its process starts. */
  private static boolean checksPort(Component c) {
    return !c.isBatch() && ComponentProcess.readiness(c).type() != Readiness.Type.RUNNING;
  }

  /**
   * How the job tells the deployer it is ready: a batch job by its exit, a running rule once the process has run its
   * seconds ({@link Readiness#runningSeconds()}, 5 for {@code running: true}), a port or HTTP rule
   * by the watcher probing {@code $DYN_PROBE_HOST} (the node itself, or a group's leader address; set by
   * {@link #portFree}).
   */
  private static void readiness(StringBuilder s, Component c) {
    if (c.isBatch()) return;
    Readiness rule = ComponentProcess.readiness(c);
    if (rule.type() == Readiness.Type.RUNNING) {
      // Ready once the process has run its seconds: one that ends sooner never is. Checked apart from
      // the job's shell (a grandchild, so the job's `wait -n` waits for its processes only).
      s.append("# The readiness rule (running): ready once the process has run for ")
          .append(rule.runningSeconds()).append(" s.\n");
      s.append("( { sleep ").append(rule.runningSeconds())
          .append("; kill -0 \"${DYN_PIDS[0]}\" 2>/dev/null && dyn_state ready; } </dev/null >/dev/null 2>&1 & )\n");
      return;
    }
    // $DYN_PROBE_HOST was set by portFree, before the process started
    s.append(JobStatusScript.watcher(rule));
    s.append(JobStatusScript.START_WATCHER);
  }

  private static String srunPrefix(Component c, Integer cpus, SlurmOptions options) {
    StringBuilder srun = new StringBuilder("srun --nodes=1 --ntasks=1");
    // srun does not inherit --cpus-per-task from the job on every Slurm version; without it a step may be
    // bound to one CPU.
    if (cpus != null) srun.append(" --cpus-per-task=").append(cpus);
    if (options.pyxis()) {
      if (Names.isPlaceholderImage(c.image())) {
        throw new IllegalArgumentException("component " + c.name()
            + ": container=pyxis needs an image, but the component has " + (c.image() == null ? "none" : "a placeholder"));
      }
      srun.append(" --container-image=").append(ShellQuote.quote(c.image()));
    }
    return srun.toString();
  }

  /** The process words of one group member: quoted argv, then the multi-node flags with run-time rank and address. */
  private static String processWords(List<String> argv, int nodes) {
    List<String> words = new ArrayList<>();
    for (String a : argv) words.add(ShellQuote.quote(a));
    for (String a : ComponentProcess.multiNodeArgs(nodes, RANK_EXPR, ADDR_EXPR)) {
      words.add(a.equals(RANK_EXPR) || a.equals(ADDR_EXPR) ? a : ShellQuote.quote(a));
    }
    return String.join(" ", words);
  }

  private static final String LOG_HELPER =
      """

      # Times in UTC from bash's own clock (%(...)T): a fork of date per line costs ~15 ms of CPU on a busy node.
      dyn_log() { TZ=UTC0 printf '%(%Y-%m-%dT%H:%M:%S)TZ %s\\n' -1 "$*"; }
      """;

  private static final String FAIL_HELPER =
      """
      dyn_fail() { dyn_log "error: $*"; dyn_state failed "$*"; exit 1; }
      """;

  private static final String SECRET_FILE_HELPER =
      """
      # Exports variable $1 with the content of secret file $2: a regular file, not readable by group or others.
      # The content is read, never run; trailing newlines are dropped.
      dyn_secret_file() {
        local name="$1" file="$2" value
        [[ -f "$file" && ! -L "$file" ]] || dyn_fail "secret file $file is missing (docs/slurm.md: secrets)"
        [[ -z "$(find "$file" -maxdepth 0 -perm /077)" ]] || dyn_fail "secret file $file must be mode 0600"
        value="$(<"$file")" || dyn_fail "cannot read secret file $file"
        export "$name=$value"
      }
      """;

  private static final String SECRET_DIR_HELPER =
      """
      # Exports every file of secret directory $1 as a variable named after the file.
      dyn_secret_dir() {
        local dir="$1" file
        [[ -d "$dir" ]] || dyn_fail "secret directory $dir is missing (docs/slurm.md: secrets)"
        for file in "$dir"/*; do
          [[ -e "$file" ]] || continue
          if [[ "${file##*/}" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
            dyn_secret_file "${file##*/}" "$file"
          else
            dyn_log "skipping secret file $file: its name is not a variable name"
          fi
        done
      }
      """;

  /** A batch job ends when every process has ended; it fails when any did. */
  private static final String WAIT_ALL =
      """
      dyn_status=0
      for dyn_pid in "${DYN_PIDS[@]}"; do
        wait "$dyn_pid"
        dyn_rc=$?
        if (( dyn_rc != 0 && dyn_status == 0 )); then dyn_status=$dyn_rc; fi
      done
      dyn_log "finished with status $dyn_status"
      dyn_state exited "$dyn_status"
      exit "$dyn_status"
      """;

  /** A service runs until cancelled; when any process of it ends, the rest are stopped and the job ends too. */
  private static final String WAIT_ANY =
      """
      wait -n
      dyn_status=$?
      dyn_log "a process exited with status $dyn_status; stopping the job"
      dyn_state exited "$dyn_status"
      kill "${DYN_PIDS[@]}" 2>/dev/null
      wait
      if (( dyn_status == 0 )); then dyn_status=1; fi
      exit "$dyn_status"
      """;
}

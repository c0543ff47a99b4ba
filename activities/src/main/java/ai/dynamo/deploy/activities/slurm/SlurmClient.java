package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.slurm.RemoteShell.Result;
import ai.dynamo.deploy.activities.slurm.RemoteShell.Retry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Slurm commands the target runs on the login node, and the parsing of their output. Every value is quoted;
 * job names and IDs are checked to be what Slurm prints before they reach a command.
 */
public final class SlurmClient {
  /** squeue columns, {@code |}-separated; the comment (ours, {@code |}-free) is last. */
  static final String JOB_FORMAT = "%i|%j|%T|%N|%r|%k";
  private static final Pattern JOB_ID = Pattern.compile("[0-9]+(_[0-9]+)?");
  private static final Pattern JOB_NAME = Pattern.compile("[a-z0-9.-]+");
  private static final Pattern SINGLE_NODE = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final Pattern NODE_LIST = Pattern.compile("[A-Za-z0-9_.,\\[\\]-]+");

  private final RemoteShell shell;

  public SlurmClient(RemoteShell shell) {
    this.shell = shell;
  }

  public RemoteShell shell() {
    return shell;
  }

  /** Jobs with these names in any state Slurm still remembers (pending, running, and recently ended). */
  public List<SlurmJob> jobsByName(Collection<String> names) throws IOException {
    if (names.isEmpty()) return List.of();
    names.forEach(n -> check(JOB_NAME, n, "job name"));
    return squeue("--name=" + String.join(",", names));
  }

  /** Every job of the login user that Slurm still lists (pending, running, recently ended). */
  public List<SlurmJob> jobsOfUser() throws IOException {
    return squeue("--me");
  }

  /**
   * The given jobs in one {@code squeue}; a job Slurm no longer lists is looked up with {@code scontrol show job}
   * (which keeps ended jobs for MinJobAge), then with {@code sacct} where the cluster keeps accounting, and left out
   * when Slurm has forgotten it.
   */
  public List<SlurmJob> jobsById(Collection<String> ids) throws IOException {
    if (ids.isEmpty()) return List.of();
    ids.forEach(id -> check(JOB_ID, id, "job id"));
    List<SlurmJob> jobs = new ArrayList<>(squeue("--jobs=" + String.join(",", ids)));
    Set<String> seen = new LinkedHashSet<>();
    jobs.forEach(j -> seen.add(j.id()));
    for (String id : ids) {
      if (seen.contains(id)) continue;
      Optional<SlurmJob> ended = scontrolShow(id);
      if (ended.isEmpty()) ended = sacctShow(id);
      ended.ifPresent(jobs::add);
    }
    return jobs;
  }

  private List<SlurmJob> squeue(String selector) throws IOException {
    Result r = shell.run("squeue --noheader --states=all " + Shell.quote(selector) + " --format="
        + Shell.quote(JOB_FORMAT), Retry.SAFE);
    if (!r.ok()) {
      if (r.stderr().contains("Invalid job id")) return List.of();
      throw new SlurmError(SlurmError.Kind.COMMAND_FAILED, "squeue failed: " + r.stderr().strip());
    }
    return parseSqueue(r.stdout());
  }

  static List<SlurmJob> parseSqueue(String out) {
    List<SlurmJob> jobs = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.isBlank()) continue;
      String[] f = line.split("\\|", 6);
      if (f.length < 6) continue;
      jobs.add(new SlurmJob(f[0].strip(), f[1], SlurmJobState.parse(f[2]), f[2], f[3], f[4], f[5].strip()));
    }
    return jobs;
  }

  /** {@code scontrol show job}: the fallback for jobs squeue no longer lists (no accounting needed). */
  public Optional<SlurmJob> scontrolShow(String id) throws IOException {
    check(JOB_ID, id, "job id");
    Result r = shell.run("scontrol show job --oneliner " + Shell.quote(id), Retry.SAFE);
    if (!r.ok()) {
      if (r.stderr().contains("Invalid job id")) return Optional.empty();
      throw new SlurmError(SlurmError.Kind.COMMAND_FAILED, "scontrol show job " + id + " failed: " + r.stderr().strip());
    }
    Map<String, String> f = ScontrolFields.parse(r.stdout());
    String state = f.getOrDefault("JobState", "");
    return Optional.of(new SlurmJob(id, f.getOrDefault("JobName", ""), SlurmJobState.parse(state), state,
        f.getOrDefault("NodeList", ""), f.getOrDefault("Reason", ""), f.getOrDefault("Comment", "")));
  }

  /**
   * {@code sacct}: what the accounting database remembers of a job the controller has forgotten. Empty when the
   * cluster keeps no accounting (as on the local test cluster) or has no record of the job.
   */
  public Optional<SlurmJob> sacctShow(String id) throws IOException {
    check(JOB_ID, id, "job id");
    Result r = shell.run("sacct --allocations --noheader --parsable2 --jobs=" + Shell.quote(id)
        + " --format=JobID,JobName,State,NodeList,Reason,Comment", Retry.SAFE);
    if (!r.ok()) {
      if (r.stderr().contains("accounting storage is disabled")) return Optional.empty();
      throw new SlurmError(SlurmError.Kind.COMMAND_FAILED, "sacct for job " + id + " failed: " + r.stderr().strip());
    }
    return parseSacct(id, r.stdout());
  }

  /** The allocation line of job {@code id} in {@code sacct --parsable2} output ({@code JobID|JobName|State|...}). */
  static Optional<SlurmJob> parseSacct(String id, String out) {
    for (String line : out.split("\n")) {
      String[] f = line.split("\\|", 6);
      if (f.length < 6 || !f[0].strip().equals(id)) continue;
      // sacct prints "CANCELLED by 1000"; the state is the first word, the whole text is kept for messages.
      return Optional.of(new SlurmJob(id, f[1], SlurmJobState.parse(f[2]), f[2], f[3], f[4], f[5].strip()));
    }
    return Optional.empty();
  }

  /**
   * {@code sbatch --parsable} in {@code dir} with the deploy identity as comment, under umask 077; returns the job
   * ID. Not safe to repeat on its own: callers look for the job first ({@link JobSubmitter}).
   */
  public String sbatch(String dir, String script, String comment, Map<String, String> env) throws IOException {
    return sbatch(dir, script, comment, env, "");
  }

  /**
   * The same with nodes the job must not use ({@code --exclude}, which overrides the script's own; empty for none).
   */
  public String sbatch(String dir, String script, String comment, Map<String, String> env, String exclude)
      throws IOException {
    // umask 077 as the batch program's (submit-batch.sh): sbatch passes it to the job (SLURM_UMASK), which creates
    // its output and status files with it; output may hold logs, so every submission's are owner-only.
    StringBuilder cmd = new StringBuilder("cd ").append(Shell.quote(dir)).append(" && umask 077 && env");
    env.forEach((k, v) -> cmd.append(' ').append(Shell.quote(k + "=" + v)));
    cmd.append(" sbatch --parsable --comment=").append(Shell.quote(comment));
    if (exclude != null && !exclude.isBlank()) {
      check(NODE_LIST, exclude, "node list");
      cmd.append(" --exclude=").append(Shell.quote(exclude));
    }
    cmd.append(' ').append(Shell.quote(script));
    Result r = shell.run(cmd.toString(), Retry.UNSAFE);
    if (!r.ok()) {
      throw new SlurmError(SlurmError.Kind.SUBMIT_REFUSED, "sbatch " + script + " refused: " + r.stderr().strip());
    }
    String id = r.stdout().strip().split(";")[0];
    check(JOB_ID, id, "sbatch's job id");
    return id;
  }

  /**
   * {@code sbatch --test-only} of a script given as text (nothing is written or submitted): when Slurm expects it to
   * start, in seconds from now, or empty when it cannot say or refuses (then {@code detail} has Slurm's words).
   */
  public record StartEstimate(Optional<Long> secondsFromNow, String detail) {}

  public StartEstimate testOnly(String scriptText, String exclude) throws IOException {
    String marker = "DYNAMO_TEST_ONLY_SCRIPT";
    if (scriptText.contains(marker)) throw new IllegalArgumentException("script contains " + marker);
    StringBuilder cmd = new StringBuilder("cd /tmp && out=$(sbatch --test-only");
    if (exclude != null && !exclude.isBlank()) {
      check(NODE_LIST, exclude, "node list");
      cmd.append(" --exclude=").append(Shell.quote(exclude));
    }
    cmd.append(" 2>&1 <<'").append(marker).append("'\n").append(scriptText);
    if (!scriptText.endsWith("\n")) cmd.append('\n');
    cmd.append(marker).append("\n); now=$(date +%s); printf 'now %s\\n%s\\n' \"$now\" \"$out\"; ")
        .append("t=$(printf '%s' \"$out\" | sed -n 's/.* to start at \\([^ ]*\\) .*/\\1/p' | head -n 1); ")
        .append("if [ -n \"$t\" ]; then printf 'start %s\\n' \"$(date -d \"$t\" +%s)\"; fi");
    Result r = shell.run(cmd.toString(), Retry.SAFE);
    return parseTestOnly(r.stdout());
  }

  static StartEstimate parseTestOnly(String out) {
    Long now = null;
    Long start = null;
    StringBuilder detail = new StringBuilder();
    for (String line : out.split("\n")) {
      if (line.startsWith("now ")) now = Long.parseLong(line.substring(4).strip());
      else if (line.startsWith("start ")) start = Long.parseLong(line.substring(6).strip());
      else if (!line.isBlank()) detail.append(detail.length() == 0 ? "" : "; ").append(line.strip());
    }
    return new StartEstimate(now == null || start == null ? Optional.empty() : Optional.of(start - now),
        detail.toString());
  }

  /** Node name to address ({@code NodeAddr}) of every node, from one {@code scontrol show node}. */
  public Map<String, String> nodeAddresses() throws IOException {
    Result r = shell.run("scontrol show node --oneliner", Retry.SAFE);
    if (!r.ok()) throw new SlurmError(SlurmError.Kind.COMMAND_FAILED, "scontrol show node: " + r.stderr().strip());
    Map<String, String> out = new java.util.TreeMap<>();
    for (String line : r.stdout().split("\n")) {
      if (line.isBlank()) continue;
      Map<String, String> f = ScontrolFields.parse(line);
      String name = f.get("NodeName");
      if (name != null) out.put(name, f.getOrDefault("NodeAddr", name));
    }
    return out;
  }

  /** {@code scancel} (SIGTERM, then Slurm's KillWait, then SIGKILL). Cancelling an ended job is harmless. */
  public void cancel(Collection<String> ids) throws IOException {
    scancel(ids, "");
  }

  /** The escalation for jobs that do not end: SIGKILL to every step and the batch shell. */
  public void kill(Collection<String> ids) throws IOException {
    scancel(ids, "--signal=KILL --full ");
  }

  private void scancel(Collection<String> ids, String options) throws IOException {
    if (ids.isEmpty()) return;
    ids.forEach(id -> check(JOB_ID, id, "job id"));
    Result r = shell.run("scancel " + options + String.join(" ", ids), Retry.SAFE);
    // scancel exits non-zero when a job already ended ("Job has already finished"): that is what we want.
    if (!r.ok() && !r.stderr().contains("already") && !r.stderr().contains("Invalid job id")) {
      throw new SlurmError(SlurmError.Kind.COMMAND_FAILED, "scancel failed: " + r.stderr().strip());
    }
  }

  /** Node names of a compact node list ({@code node[1-2]} -> node1, node2), in Slurm's order. */
  public List<String> hostnames(String nodeList) throws IOException {
    if (nodeList == null || nodeList.isBlank() || nodeList.equals("(null)")) return List.of();
    check(NODE_LIST, nodeList, "node list");
    if (SINGLE_NODE.matcher(nodeList).matches()) return List.of(nodeList); // nothing to expand: save a round trip
    Result r = shell.run("scontrol show hostnames " + Shell.quote(nodeList), Retry.SAFE);
    if (!r.ok()) throw new SlurmError(SlurmError.Kind.COMMAND_FAILED, "scontrol show hostnames: " + r.stderr().strip());
    return r.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /** Nodes on which the job has a running step of its own (srun), i.e. where its processes run now. */
  public Set<String> stepNodes(String jobId) throws IOException {
    check(JOB_ID, jobId, "job id");
    Result r = shell.run("squeue --noheader --steps --jobs=" + jobId + " --format=" + Shell.quote("%i|%N"), Retry.SAFE);
    Set<String> nodes = new LinkedHashSet<>();
    if (!r.ok()) return nodes;
    for (String line : r.stdout().split("\n")) {
      String[] f = line.strip().split("\\|", 2);
      // <job>.<n> are srun steps; <job>.batch and <job>.extern are Slurm's own.
      if (f.length == 2 && f[0].matches("[0-9_]+\\.[0-9]+")) nodes.addAll(hostnames(f[1]));
    }
    return nodes;
  }

  /** The last {@code lines} lines of a remote text file, or empty when it cannot be read. */
  public String tail(String path, int lines) throws IOException {
    Result r = shell.run("tail -n " + lines + " -- " + Shell.quote(path) + " 2>/dev/null", Retry.SAFE);
    return r.ok() ? r.stdout() : "";
  }

  private static void check(Pattern p, String value, String what) {
    if (value == null || !p.matcher(value).matches()) {
      throw new IllegalArgumentException("unexpected " + what + ": \"" + value + "\"");
    }
  }
}

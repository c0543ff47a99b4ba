package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Readiness;
import ai.dynamo.deploy.render.ComponentProcess;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One look at a component's jobs (one {@code squeue} for all its replicas), turned into ready/desired counts, or
 * a {@link SlurmError} of kind JOB_FAILED with the reason and the end of the job's output when a job failed. The
 * readiness rules (docs/slurm-target.md) live here:
 *
 * <ul>
 *   <li>a batch component's job is done when COMPLETED;
 *   <li>a service job is ready when RUNNING and the component's readiness rule
 *       ({@link ComponentProcess#readiness}) holds, probed from the login host against the job's node (for a
 *       group's LEADER stage: against the leader node the job wrote to {@code leader-addr});
 *   <li>a group's WORKERS stage is ready when the job runs a step (an {@code srun}) on every one of its nodes;
 *   <li>a service job that ends, in any state, has failed.
 * </ul>
 */
public final class ReadinessCheck {
  static final int OUTPUT_LINES = 20;

  private final SlurmClient slurm;
  private final PortProbe probe;

  public ReadinessCheck(SlurmClient slurm) {
    this.slurm = slurm;
    this.probe = new PortProbe(slurm.shell());
  }

  /** ready/desired in units (nodes), and what the least advanced replica is doing. */
  /** @param pendingReason Slurm's reason of the first replica job still PENDING, or null when none is */
  public record Status(int ready, int desired, String message, String pendingReason) {
    public Status(int ready, int desired, String message) {
      this(ready, desired, message, null);
    }

    public boolean done() {
      return ready >= desired;
    }
  }

  /**
   * @param jobs job ID per replica, in replica order
   * @throws SlurmError JOB_FAILED when a job failed (not retryable)
   */
  public Status check(Component c, SlurmStage stage, int revision, RemoteLayout layout, Map<Integer, String> jobs)
      throws IOException {
    Map<String, SlurmJob> byId = new HashMap<>();
    for (SlurmJob j : slurm.jobsById(jobs.values())) byId.put(j.id(), j);
    int nodes = c.multiNode().numNodes();
    int perReplica = switch (stage) {
      case ALL -> nodes;
      case LEADER -> 1;
      case WORKERS -> nodes - 1;
    };
    // First what Slurm says (and fail fast); then one batched port probe for the replicas that need one.
    List<SlurmJob> replicaJobs = new ArrayList<>();
    List<Integer> units = new ArrayList<>();
    List<PortProbe.Target> probes = new ArrayList<>();
    List<Integer> probeOwner = new ArrayList<>();
    for (Map.Entry<Integer, String> e : new LinkedHashMap<>(jobs).entrySet()) {
      int replica = e.getKey();
      SlurmJob job = byId.get(e.getValue());
      if (job == null) {
        throw new SlurmError(SlurmError.Kind.JOB_FAILED, c.name() + " replica " + replica + ": job " + e.getValue()
            + " is no longer known to Slurm (it ended and was purged)");
      }
      replicaJobs.add(job);
      Optional<String> probeHost = Optional.empty();
      int u;
      Integer known = unitsFromState(c, stage, revision, layout, replica, job, perReplica);
      if (known != null) {
        u = known;
      } else if (stage == SlurmStage.WORKERS) {
        u = workersUp(job, perReplica);
      } else {
        probeHost = probeHost(c, stage, revision, layout, replica, job);
        u = 0;
      }
      if (probeHost.isPresent()) {
        probes.add(new PortProbe.Target(ComponentProcess.readiness(c), probeHost.get()));
        probeOwner.add(units.size());
      }
      units.add(u);
    }
    List<Boolean> answered = probe.ready(probes);
    for (int i = 0; i < answered.size(); i++) {
      if (answered.get(i)) units.set(probeOwner.get(i), stage == SlurmStage.LEADER ? 1 : perReplica);
    }
    int ready = 0;
    List<String> waiting = new ArrayList<>();
    for (int i = 0; i < units.size(); i++) {
      ready += units.get(i);
      if (units.get(i) < perReplica) {
        waiting.add(replicaJobs.get(i).describe()
            + (replicaJobs.get(i).state() == SlurmJobState.RUNNING ? waitingFor(c, stage) : ""));
      }
    }
    String message = waiting.isEmpty() ? "ready" : waiting.get(0) + (waiting.size() > 1 ? " (+" + (waiting.size() - 1) + " more)" : "");
    String pending = replicaJobs.stream().filter(j -> j.state() == SlurmJobState.PENDING).map(SlurmJob::reason)
        .findFirst().orElse(null);
    return new Status(ready, perReplica * jobs.size(), message, pending);
  }

  /**
   * The same rules over what the jobs pushed ({@link StatusFollower}): a service replica is ready when its status
   * file's last verdict is {@code ready} (a group's LEADER stage: the leader's rule; WORKERS: {@code workers-started});
   * a batch replica when it wrote {@code exited 0} or Slurm says COMPLETED. A job that wrote {@code exited} or
   * {@code failed}, that Slurm's last squeue shows ended, or that Slurm no longer knows, has failed.
   *
   * @throws SlurmError JOB_FAILED when a job failed (not retryable)
   */
  public Status evaluate(Component c, SlurmStage stage, int revision, RemoteLayout layout, Map<Integer, String> jobs,
      StatusFollower.Snapshot seen) throws IOException {
    int nodes = c.multiNode().numNodes();
    int perReplica = switch (stage) {
      case ALL -> nodes;
      case LEADER -> 1;
      case WORKERS -> nodes - 1;
    };
    int ready = 0;
    List<String> waiting = new ArrayList<>();
    String pending = null;
    for (Map.Entry<Integer, String> e : new LinkedHashMap<>(jobs).entrySet()) {
      int replica = e.getKey();
      String id = e.getValue();
      JobReport report = seen.report(id);
      SlurmJob job = seen.squeued().get(id);
      boolean completed = c.isBatch() && (report.ended() && report.exitStatus() == 0
          || job != null && job.state().category() == SlurmJobState.Category.COMPLETED);
      if (!completed) failIfEnded(c, revision, layout, replica, id, report, job, seen.gone().contains(id));
      int units;
      if (completed) {
        units = perReplica;
      } else if (c.isBatch() && stage == SlurmStage.ALL) {
        units = 0;
      } else {
        units = switch (stage) {
          case ALL -> report.ready() && (nodes == 1 || report.workersStarted()) ? perReplica : 0;
          case LEADER -> report.ready() ? 1 : 0;
          case WORKERS -> report.workersStarted() ? perReplica : 0;
        };
      }
      ready += units;
      if (job != null && job.state() == SlurmJobState.PENDING && pending == null) pending = job.reason();
      if (units < perReplica) {
        String what = job != null ? job.describe() : "job " + id + " (" + c.name() + " replica " + replica + ")"
            + (report.started() ? " is running" : " has not started yet");
        boolean running = report.started() || job != null && job.state() == SlurmJobState.RUNNING;
        waiting.add(what + (running ? waitingFor(c, stage) + lastSaid(report) : ""));
      }
    }
    String message = waiting.isEmpty() ? "ready" : waiting.get(0) + (waiting.size() > 1 ? " (+" + (waiting.size() - 1) + " more)" : "");
    return new Status(ready, perReplica * jobs.size(), message, pending);
  }

  private void failIfEnded(Component c, int revision, RemoteLayout layout, int replica, String id, JobReport report,
      SlurmJob job, boolean gone) throws IOException {
    if (report.ended()) {
      String how = report.failure() != null ? "failed: " + report.failure() : "a process exited with status "
          + report.exitStatus() + (c.isBatch() ? "" : " (a service must not end)");
      throw failedWith(c, revision, layout, replica, id, "job " + id + " " + how);
    }
    if (job != null && (job.state().ended() || !c.isBatch() && job.state().category() == SlurmJobState.Category.ENDING)) {
      throw failed(c, revision, layout, replica, job);
    }
    if (job == null && gone) {
      throw new SlurmError(SlurmError.Kind.JOB_FAILED, c.name() + " replica " + replica + ": job " + id
          + " is no longer known to Slurm (it ended and was purged)");
    }
  }

  /** Units decided by the job's state alone (failures throw), or null when the processes must be looked at. */
  private Integer unitsFromState(Component c, SlurmStage stage, int revision, RemoteLayout layout, int replica,
      SlurmJob job, int perReplica) throws IOException {
    SlurmJobState.Category cat = job.state().category();
    if (c.isBatch()) {
      if (cat == SlurmJobState.Category.COMPLETED) return perReplica;
      if (cat == SlurmJobState.Category.FAILED) throw failed(c, revision, layout, replica, job);
    } else if (job.state().ended() || cat == SlurmJobState.Category.ENDING) {
      throw failed(c, revision, layout, replica, job);
    }
    if (cat != SlurmJobState.Category.RUNNING || c.isBatch() && stage == SlurmStage.ALL) return 0;
    if (stage != SlurmStage.WORKERS && ComponentProcess.readiness(c).type() == Readiness.Type.RUNNING) {
      // RUNNING in Slurm is not enough: the job says "ready" once its process has run a few seconds
      // (Readiness.runningSeconds(): 5, or running: {seconds: N}), as the pushed wait reads it.
      return saidReady(layout, revision, c, replica, job.id()) ? (stage == SlurmStage.LEADER ? 1 : perReplica) : 0;
    }
    return null;
  }

  /** Whether this job's status lines, folded as the pushed wait folds them ({@link JobReport}), say it is ready. */
  private boolean saidReady(RemoteLayout layout, int revision, Component c, int replica, String jobId)
      throws IOException {
    String status = slurm.shell().readFile(layout.graphDir() + "/"
        + RemoteLayout.statusFileInGraphDir(revision, c.name(), replica)).orElse("");
    JobReport report = JobReport.empty(jobId);
    for (String line : status.split("\n")) {
      Optional<JobStatusLine> l = JobStatusLine.parse(line);
      if (l.isPresent() && l.get().jobId().equals(jobId)) report = report.with(l.get());
    }
    return report.ready();
  }

  /** Where the rule is checked: the job's (first) node, or for a LEADER stage the node in leader-addr. */
  private Optional<String> probeHost(Component c, SlurmStage stage, int revision, RemoteLayout layout, int replica,
      SlurmJob job) throws IOException {
    if (stage == SlurmStage.LEADER) {
      Optional<String> addr = slurm.shell().readFile(layout.leaderAddrFile(revision, c.name(), replica));
      if (addr.isEmpty() || addr.get().isBlank()) return Optional.empty();
      String a = addr.get().strip();
      return Optional.of(a.substring(0, a.lastIndexOf(':')));
    }
    List<String> hosts = slurm.hostnames(job.nodes());
    return hosts.isEmpty() ? Optional.empty() : Optional.of(hosts.get(0));
  }

  /** Worker nodes (all nodes but the leader's) on which the job runs a step. */
  private int workersUp(SlurmJob job, int perReplica) throws IOException {
    Set<String> running = slurm.stepNodes(job.id());
    List<String> all = slurm.hostnames(job.nodes());
    long up = all.stream().filter(running::contains).count() - 1;
    return (int) Math.max(0, Math.min(perReplica, up));
  }

  /** The job's last status line, so a wait that does not end shows what the job last said. */
  private static String lastSaid(JobReport report) {
    JobStatusLine l = report.lastLine();
    return l == null ? "; no status line yet" : "; its status file says " + l.state()
        + (l.detail().isEmpty() ? "" : " " + l.detail()) + " at " + l.time();
  }

  /** What a running replica still waits for. */
  private static String waitingFor(Component c, SlurmStage stage) {
    if (stage == SlurmStage.WORKERS) return "; waiting for its workers to start";
    if (c.isBatch()) return "; waiting for it to complete";
    Readiness rule = ComponentProcess.readiness(c);
    return rule.type() == Readiness.Type.RUNNING ? "" : "; waiting for port " + rule.port()
        + (rule.type() == Readiness.Type.HTTP ? " (HTTP " + (rule.path() == null ? "/" : rule.path()) + ")" : "");
  }

  private SlurmError failed(Component c, int revision, RemoteLayout layout, int replica, SlurmJob job)
      throws IOException {
    String what = c.isBatch() ? job.state().meaning() : job.state() == SlurmJobState.COMPLETED
        ? "the service's job ended" : job.state().meaning();
    return failedWith(c, revision, layout, replica, job.id(), "job " + job.id() + " " + job.stateText() + " (" + what
        + (job.reason() == null || job.reason().equals("None") ? "" : ", " + job.reason()) + ")");
  }

  /** JOB_FAILED with what happened and the last lines of the job's output. */
  private SlurmError failedWith(Component c, int revision, RemoteLayout layout, int replica, String jobId, String what)
      throws IOException {
    String out = layout.output(revision, c.name(), replica, jobId);
    String tail = slurm.tail(out, OUTPUT_LINES).stripTrailing();
    return new SlurmError(SlurmError.Kind.JOB_FAILED, c.name() + " replica " + replica + ": " + what
        + (tail.isEmpty() ? "" : "; last lines of " + out + ":\n" + tail));
  }
}

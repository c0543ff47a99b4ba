package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.DeployContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The job IDs this worker's applies were answered with, per deploy run, revision and component: a hint that lets a
 * readiness wait start without reading the job-id files, so the waits of a wave need no login of their own
 * (docs/slurm-target.md "How readiness reaches the worker"). The cluster stays the truth: a miss (another worker
 * applied, the worker restarted, the entry was evicted) reads the files as before, and a wait that finds a remembered
 * job ended reads them again before it fails the component ({@link RevisionJobs}).
 */
final class AppliedJobs {
  /** Components remembered at most; the oldest go first. A 200-component deploy uses 200. */
  static final int CAPACITY = 4096;

  private final Map<String, List<String>> byComponent = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
      return size() > CAPACITY;
    }
  };

  /** What an apply of {@code component} answered: its jobs in replica order. */
  synchronized void remember(DeployContext ctx, int revision, String component, List<String> jobIds) {
    byComponent.put(key(ctx, revision, component), List.copyOf(jobIds));
  }

  /** The job per replica this worker's last apply of the component in this run answered, when it has all replicas. */
  synchronized Optional<Map<Integer, String>> recall(DeployContext ctx, int revision, String component, int replicas) {
    List<String> jobs = byComponent.get(key(ctx, revision, component));
    if (jobs == null || jobs.size() != replicas) return Optional.empty();
    Map<Integer, String> byReplica = new LinkedHashMap<>();
    for (int r = 0; r < replicas; r++) byReplica.put(r, jobs.get(r));
    return Optional.of(byReplica);
  }

  private static String key(DeployContext ctx, int revision, String component) {
    return ctx.workflowId() + "\n" + ctx.runId() + "\n" + revision + "\n" + component;
  }
}

package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A component's jobs of one revision of this deploy run, as the steps after apply find them. */
final class RevisionJobs {
  private RevisionJobs() {}

  /** The identity in the comment of this run's jobs of {@code revision}. */
  static JobIdentity identity(DeployContext ctx, int revision) {
    return new JobIdentity(revision, ctx.workflowId(), ctx.runId());
  }

  /**
   * Job ID per replica for a readiness wait: what this worker's apply answered ({@link AppliedJobs}; no round trip,
   * so the wait needs no login), else {@link #of}. {@code remembered} says which: a remembered job found ended is
   * looked up again ({@link #of}) before the component fails, in case another worker's retried apply replaced it.
   */
  static Found forWait(AppliedJobs applied, DeployContext ctx, SlurmSession s, int revision, Component c)
      throws IOException {
    Optional<Map<Integer, String>> known = applied.recall(ctx, revision, c.name(), c.replicas());
    return known.isPresent() ? new Found(known.get(), true) : new Found(of(ctx, s, revision, c), false);
  }

  record Found(Map<Integer, String> jobs, boolean remembered) {}

  /** Job ID per replica: from the job-id files apply wrote, else from Slurm by name and identity. */
  static Map<Integer, String> of(DeployContext ctx, SlurmSession s, int revision, Component c) throws IOException {
    Map<Integer, String> jobs = new LinkedHashMap<>();
    JobSubmitter finder = new JobSubmitter(s.slurm());
    for (int r = 0; r < c.replicas(); r++) {
      Optional<String> id = s.ssh().readFile(s.layout().jobIdFile(revision, c.name(), r)).map(String::strip);
      if (id.isEmpty() || id.get().isEmpty()) {
        id = finder.find(SlurmNames.jobName(ctx.graph(), c.name(), r), identity(ctx, revision)).map(SlurmJob::id);
      }
      if (id.isEmpty()) {
        throw TargetFailure.transientFailure(c.name() + " replica " + r + " of revision " + revision
            + " has no job yet (apply has not run)", null);
      }
      jobs.put(r, id.get());
    }
    return jobs;
  }
}

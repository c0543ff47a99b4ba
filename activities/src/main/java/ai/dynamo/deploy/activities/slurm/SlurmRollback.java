package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import ai.dynamo.deploy.workflows.ComponentChange;
import ai.dynamo.deploy.workflows.RollbackRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rollback step of the Slurm target: cancels the failed revision's jobs only (matched by job name and identity),
 * records it as {@code ROLLED_BACK}, and re-submits recreated components from the previous revision's kept files.
 * The previous revision is otherwise untouched. Safe to retry: a second run finds nothing left to cancel.
 */
final class SlurmRollback {
  private final SlurmRevisions revisions;
  private final Duration cancelGrace;

  SlurmRollback(SlurmRevisions revisions, Duration cancelGrace) {
    this.revisions = revisions;
    this.cancelGrace = cancelGrace;
  }

  String run(DeployContext ctx, SlurmSession s, RollbackRequest request, ReadinessWatch watch) throws IOException {
    List<String> names = new ArrayList<>();
    for (Component c : ctx.graph().components()) {
      for (int r = 0; r < c.replicas(); r++) names.add(SlurmNames.jobName(ctx.graph(), c.name(), r));
    }
    JobIdentity failed = RevisionJobs.identity(ctx, request.failedRevision());
    Map<String, String> owned = new TreeMap<>();
    List<String> running = new ArrayList<>();
    for (SlurmJob j : s.slurm().jobsByName(names)) {
      JobIdentity id = JobIdentity.parse(j.comment());
      if (!failed.sameRevision(id)) continue; // never touch another revision's (or anyone else's) jobs
      owned.put(j.name() + "#" + j.id(), j.id());
      if (!j.state().ended()) running.add(j.id());
    }
    List<String> alive = new JobCanceller(s.slurm(), watch::pause, cancelGrace).cancel(running);
    DeployStateStore store = new DeployStateStore(s.ssh(), s.layout());
    DeployState state = store.read(ctx.graph().name());
    store.write(state.withFailed(new DeployState.Entry(request.failedRevision(), DeployState.Status.ROLLED_BACK,
        owned, "", ctx.workflowId(), ctx.runId(), ctx.request().options().startedBy(), System.currentTimeMillis(),
        request.reason())));
    if (!alive.isEmpty()) {
      throw TargetFailure.transientFailure("job(s) " + String.join(", ", alive)
          + " of revision " + request.failedRevision() + " did not end after scancel and SIGKILL", null);
    }
    String secrets = state.current() == null ? removeSecrets(s) : "";
    // Recreated components lost their old jobs: re-submit them from the previous revision's kept files.
    List<String> restored = new ArrayList<>();
    for (String name : request.components()) {
      ComponentChange change = request.change(name);
      if (change == null || !change.recreates()) continue;
      DeployState.ComponentRecord record = revisions.liveRecords(ctx, state.current()).get(name);
      if (record == null) continue;
      restored.add(name + " (job(s) " + String.join(", ", revisions.restore(ctx, s, store, name, record, watch)) + ")");
    }
    return "cancelled " + running.size() + " job(s) of revision " + request.failedRevision()
        + (restored.isEmpty() ? "" : "; re-submitted " + String.join(", ", restored) + " from revision "
            + request.previousRevision() + "'s files, ready again")
        + (request.previousRevision() > 0 ? "; revision " + request.previousRevision()
            + (restored.isEmpty() ? " keeps running" : " runs again") : "") + secrets;
  }

  /**
   * A rolled-back first install leaves no revision running that could read the secret files it wrote: they go, as
   * in an uninstall, rather than stay on the cluster until one. A retry finds nothing to remove.
   */
  private static String removeSecrets(SlurmSession s) throws IOException {
    String dir = s.layout().secretsDir();
    RemoteShell.Result rm = s.ssh().run("rm -rf -- " + Shell.quote(dir), RemoteShell.Retry.SAFE);
    if (!rm.ok()) {
      throw TargetFailure.transientFailure("cannot remove the secret files in " + dir + ": " + rm.stderr().strip(),
          null);
    }
    return "; no revision runs, so the secret files (" + dir + ") were removed";
  }
}

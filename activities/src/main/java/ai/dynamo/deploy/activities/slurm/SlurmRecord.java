package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.ComponentDigests;
import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.DeployTarget;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RevisionSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The record step of the Slurm target: a ready revision becomes current in {@code state.json} (adopted components
 * with their older revision directory and the same jobs), its spec is kept for {@code rollback --to-revision}, and
 * only then are the jobs no longer in it cancelled: blue/green predecessors and removed components. Safe to retry.
 */
final class SlurmRecord {
  private final DeployTarget target;
  private final SlurmRevisions revisions;
  private final Duration cancelGrace;

  /** @param target renders the components' digests ({@link ComponentDigests}) */
  SlurmRecord(DeployTarget target, SlurmRevisions revisions, Duration cancelGrace) {
    this.target = target;
    this.revisions = revisions;
    this.cancelGrace = cancelGrace;
  }

  void run(DeployContext ctx, SlurmSession s, RevisionRecord record) throws IOException {
    DeployStateStore store = new DeployStateStore(s.ssh(), s.layout());
    DeployState state = store.read(ctx.graph().name());
    DeployState.Entry previous = previousOf(state, record.revision());
    Map<String, DeployState.ComponentRecord> live = revisions.liveRecords(ctx, previous);
    Map<String, String> digests = ComponentDigests.of(target, ctx);
    Map<String, DeployState.ComponentRecord> components = new TreeMap<>();
    Map<String, String> jobs = new TreeMap<>();
    // Only a component with a live record can be adopted; with none (a first install) the squeue would not matter.
    Set<String> appliedNow = live.isEmpty() ? Set.of() : revisions.submittedIn(ctx, s, record.revision());
    for (Component c : ctx.graph().components()) {
      DeployState.ComponentRecord adopted = live.get(c.name());
      if (!appliedNow.contains(c.name()) && adopted != null) {
        components.put(c.name(), adopted); // adopted as it runs: same jobs, files in its older revision
      } else {
        Map<String, String> own = new TreeMap<>();
        RevisionJobs.of(ctx, s, record.revision(), c).forEach((r, id) -> own.put(SlurmNames.stem(c.name(), r), id));
        components.put(c.name(), new DeployState.ComponentRecord(digests.get(c.name()), record.revision(), own));
      }
      jobs.putAll(components.get(c.name()).jobs());
    }
    // What rollback --to-revision deploys again: the IR (secret references only) and the settings (never secret).
    new SlurmRecords(s.ssh(), s.layout()).writeSpec(record.revision(),
        new RevisionSpec(ctx.graph(), record.specDigest(), ctx.settings()));
    int restores = ctx.request().options() == null ? 0 : ctx.request().options().restoresRevision();
    store.write(state.withReady(new DeployState.Entry(record.revision(), DeployState.Status.READY, jobs,
        record.specDigest(), record.workflowId(), record.runId(), record.startedBy(), record.epochMillis(),
        restores > 0 ? "rolled back to " + restores : "", components)));
    if (previous != null) {
      // Blue/green and removed components: the new revision is ready and recorded; only now do their old jobs go.
      // Adopted components keep their jobs (they are in both entries).
      List<String> old = new ArrayList<>(previous.jobs().values());
      old.removeAll(jobs.values());
      new JobCanceller(s.slurm(), SlurmTarget::sleep, cancelGrace).cancel(old);
    }
  }

  private static DeployState.Entry previousOf(DeployState state, int revision) {
    DeployState.Entry current = state.current();
    if (current != null && current.revision() != revision) return current;
    // A retried recordRevision: the new revision is already current; its predecessor is the last superseded one.
    DeployState.Entry last = null;
    for (DeployState.Entry e : state.history()) {
      if (e.status() == DeployState.Status.SUPERSEDED && e.revision() != revision) last = e;
    }
    return last;
  }
}

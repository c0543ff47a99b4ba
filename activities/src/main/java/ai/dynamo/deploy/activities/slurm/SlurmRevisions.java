package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.ComponentDigests;
import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.LiveRevision;
import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.activities.Room;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.workflows.ComponentChange;
import ai.dynamo.deploy.workflows.RevisionSpec;
import ai.dynamo.deploy.workflows.UpdateSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Slurm target's steps of per-component updates (docs/slurm-target.md "Updates"): the live revision per
 * component, the capacity question of {@code auto}, the kept files for {@code deploy diff}, stopping a recreated
 * component's live jobs, and restoring it from the previous revision's files in a rollback.
 */
final class SlurmRevisions {
  private final SlurmTarget target;
  private final Duration firstPoll;
  private final Duration maxPoll;
  private final Duration cancelGrace;

  /** A restore's readiness polls back off from firstPoll to maxPoll (a rollback is rare: it polls). */
  SlurmRevisions(SlurmTarget target, Duration firstPoll, Duration maxPoll, Duration cancelGrace) {
    this.target = target;
    this.firstPoll = firstPoll;
    this.maxPoll = maxPoll;
    this.cancelGrace = cancelGrace;
  }

  /** Recreate: cancels the live revision's jobs of {@code c} and waits until they ended (their nodes are free). */
  String stopLive(DeployContext ctx, SlurmSession s, Component c, int revision) throws IOException {
    DeployState.Entry live = new DeployStateStore(s.ssh(), s.layout()).read(ctx.graph().name()).current();
    DeployState.ComponentRecord record =
        SlurmUpdates.components(live, Map.of(c.name(), "")).get(c.name());
    if (record == null || live.revision() == revision) return "";
    List<String> ids = new ArrayList<>(record.jobs().values());
    List<String> alive = new JobCanceller(s.slurm(), SlurmTarget::sleep, cancelGrace).cancel(ids);
    if (!alive.isEmpty()) {
      throw TargetFailure.transientFailure("recreate: job(s) " + String.join(", ", alive) + " of revision "
          + record.revision() + " did not end after scancel and SIGKILL", null);
    }
    return "recreate: stopped job(s) " + String.join(", ", ids) + " of revision " + record.revision() + "; ";
  }

  /**
   * Re-submits a recreated component from its kept files (its revision directory), records the new job IDs in the
   * live entry and waits until it is ready again, a group's leader before its workers, as a deploy does (the
   * rollback's budget bounds it).
   */
  List<String> restore(DeployContext ctx, SlurmSession s, DeployStateStore store, String name,
      DeployState.ComponentRecord record, ReadinessWatch watch) throws IOException {
    JobSubmitter submitter = new JobSubmitter(s.slurm());
    JobIdentity identity = RevisionJobs.identity(ctx, record.revision());
    Map<Integer, String> jobs = new LinkedHashMap<>();
    Map<String, String> byStem = new TreeMap<>();
    for (String stem : record.jobs().keySet()) {
      int replica = Integer.parseInt(stem.substring(stem.lastIndexOf('-') + 1));
      String id = submitter.submit(ctx.graph(), s.layout(), identity, name, replica, "", false).jobId();
      jobs.put(replica, id);
      byStem.put(stem, id);
    }
    store.write(store.read(ctx.graph().name()).withCurrentComponent(name,
        new DeployState.ComponentRecord(record.digest(), record.revision(), byStem)));
    Optional<RevisionSpec> spec = new SlurmRecords(s.ssh(), s.layout()).storedSpec(record.revision());
    Component old = spec.isEmpty() ? null : spec.get().graph().components().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    if (old == null) {
      // No spec to read the readiness rule from: release a group's workers at once and leave the wait to the user.
      for (int r : jobs.keySet()) s.ssh().writeFile(s.layout().startWorkersFile(record.revision(), name, r), SlurmTarget.START_WORKERS, 0600);
      return List.copyOf(jobs.values());
    }
    List<SlurmStage> stages = old.multiNode().isMultiNode() && !old.isBatch()
        ? List.of(SlurmStage.LEADER, SlurmStage.WORKERS) : List.of(SlurmStage.ALL);
    ReadinessCheck check = new ReadinessCheck(s.slurm());
    Duration delay = firstPoll;
    for (SlurmStage stage : stages) {
      if (stage == SlurmStage.WORKERS) {
        for (int r : jobs.keySet()) s.ssh().writeFile(s.layout().startWorkersFile(record.revision(), name, r), SlurmTarget.START_WORKERS, 0600);
      }
      while (true) {
        ReadinessCheck.Status status = check.check(old, stage, record.revision(), s.layout(), jobs);
        watch.report(status.ready(), status.desired(), "restoring " + name + ": " + status.message(), "");
        if (status.done()) break;
        watch.pause(delay);
        delay = Duration.ofMillis(Math.min(maxPoll.toMillis(), (long) (delay.toMillis() * 1.5)));
      }
    }
    return List.copyOf(jobs.values());
  }

  /** The live entry per component from state.json, with a health check of its jobs (one squeue). */
  LiveRevision liveRevision(DeployContext ctx) {
    return SlurmSession.guard(ctx, false, target.commandTimeout(), s -> {
      DeployState state = new DeployStateStore(s.ssh(), s.layout()).read(ctx.graph().name());
      Set<String> batch = new HashSet<>();
      for (Component c : ctx.graph().components()) if (c.isBatch()) batch.add(c.name());
      return new SlurmUpdates(s.slurm(), s.layout()).live(state, liveRecords(ctx, state.current()), batch);
    });
  }

  Room roomBeside(DeployContext ctx, Component c, LiveRevision.Component live) {
    return SlurmSession.guard(ctx, s -> {
      DeployState.Entry current = new DeployStateStore(s.ssh(), s.layout()).read(ctx.graph().name()).current();
      DeployState.ComponentRecord record = liveRecords(ctx, current).get(c.name());
      return new SlurmUpdates(s.slurm(), s.layout()).room(ctx.graph(),
          UpdateSettings.withoutUpdateSettings(ctx.settings()), c, record);
    });
  }

  Map<String, String> liveFiles(DeployContext ctx, String component, LiveRevision.Component live) {
    return SlurmSession.guard(ctx, s -> {
      DeployState.Entry current = new DeployStateStore(s.ssh(), s.layout()).read(ctx.graph().name()).current();
      DeployState.ComponentRecord record = liveRecords(ctx, current).get(component);
      return record == null ? Map.of() : new SlurmUpdates(s.slurm(), s.layout()).keptFiles(component, record);
    });
  }

  /**
   * The live entry's component records. An entry from before per-component updates has none: its jobs are mapped to
   * the graph's components, adopted only when the whole request is the one that entry ran (same spec digest).
   */
  Map<String, DeployState.ComponentRecord> liveRecords(DeployContext ctx, DeployState.Entry current) {
    if (current == null || !current.components().isEmpty()) return SlurmUpdates.components(current, Map.of());
    boolean same = current.specDigest().equals(ctx.request().specDigest());
    Map<String, String> digests = same ? ComponentDigests.of(target, ctx) : Map.of();
    Map<String, String> legacy = new TreeMap<>();
    for (Component c : ctx.graph().components()) legacy.put(c.name(), digests.getOrDefault(c.name(), ""));
    return SlurmUpdates.components(current, legacy);
  }

  /**
   * Components this revision submitted (a job of this deploy and revision that has not ended, or completed for a batch
   * job), in one {@code squeue}: the others were adopted unchanged. Jobs of an earlier, rolled-back attempt at the same
   * revision number have ended and do not count.
   */
  Set<String> submittedIn(DeployContext ctx, SlurmSession s, int revision) throws IOException {
    Map<String, String> byJobName = new TreeMap<>();
    for (Component c : ctx.graph().components()) {
      byJobName.put(ai.dynamo.deploy.render.slurm.SlurmNames.jobName(ctx.graph(), c.name(), 0), c.name());
    }
    JobIdentity identity = RevisionJobs.identity(ctx, revision);
    Set<String> out = new HashSet<>();
    for (SlurmJob j : s.slurm().jobsByName(byJobName.keySet())) {
      boolean alive = !j.state().ended() || j.state().category() == SlurmJobState.Category.COMPLETED;
      if (alive && identity.sameRevision(JobIdentity.parse(j.comment()))) out.add(byJobName.get(j.name()));
    }
    return out;
  }

  static ComponentChange change(List<ComponentChange> changes, String component) {
    if (changes == null) return null;
    return changes.stream().filter(ch -> ch.component().equals(component)).findFirst().orElse(null);
  }
}

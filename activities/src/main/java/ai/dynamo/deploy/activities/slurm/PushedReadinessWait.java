package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.workflows.ReadyState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * One readiness wait of a component stage, fed by the deploy's {@link StatusFollower} (docs/slurm-target.md "How
 * readiness reaches the worker"): it evaluates the rules ({@link ReadinessCheck#evaluate}) on every change the
 * follower sees, and at least every {@link #SLICE} to heartbeat and enforce the readiness timeout.
 */
final class PushedReadinessWait {
  /** How long a wait sleeps at most between reports (each report heartbeats and checks the readiness timeout). */
  static final Duration SLICE = Duration.ofSeconds(2);
  /** A follower that can neither follow nor squeue for this long fails the attempt (retried, maybe elsewhere). */
  static final Duration SILENCE = Duration.ofSeconds(90);

  private final StatusFollowers followers;
  private final DeployContext ctx;
  private final SlurmSession s;
  private final int revision;
  private final Component c;
  private final SlurmStage stage;

  PushedReadinessWait(StatusFollowers followers, DeployContext ctx, SlurmSession s, int revision, Component c,
      SlurmStage stage) {
    this.followers = followers;
    this.ctx = ctx;
    this.s = s;
    this.revision = revision;
    this.c = c;
    this.stage = stage;
  }

  /** @param jobs job ID per replica */
  ReadyState await(Map<Integer, String> jobs, BlueGreenGrace grace, ReadinessWatch watch) throws IOException {
    String token = token(jobs);
    ReadinessCheck check = new ReadinessCheck(s.slurm());
    try (StatusFollowers.Lease lease = followers.follow(s.ssh().endpoint().display(), s.layout().graphDir(),
        statusFiles(), jobs.values(), () -> SlurmSession.forFollower(ctx))) {
      StatusFollower.Snapshot seen = lease.follower().snapshot();
      long lastContact = System.nanoTime();
      while (true) {
        ReadinessCheck.Status status = check.evaluate(c, stage, revision, s.layout(), jobs, seen);
        watch.report(status.ready(), status.desired(), status.message() + problem(seen), token);
        if (status.done()) return new ReadyState(status.ready(), status.desired(), status.message());
        grace.check(status.pendingReason());
        long version = seen.version();
        seen = lease.follower().awaitChange(version, SLICE);
        if (seen.version() != version || seen.problem() == null) lastContact = System.nanoTime();
        if (System.nanoTime() - lastContact > SILENCE.toNanos()) {
          throw TargetFailure.transientFailure(c.name() + ": no word from the cluster for " + SILENCE.toSeconds()
              + "s: " + seen.problem(), null);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw TargetFailure.transientFailure("interrupted while waiting for " + c.name() + " (worker stopping)", e);
    }
  }

  private static String problem(StatusFollower.Snapshot seen) {
    return seen.problem() == null ? "" : " (" + seen.problem() + ")";
  }

  /** Every replica's status file of this revision: one follower serves every wait of the deploy. */
  private List<String> statusFiles() {
    List<String> files = new ArrayList<>();
    for (Component comp : ctx.graph().components()) {
      for (int r = 0; r < comp.replicas(); r++) files.add(RemoteLayout.statusFileInGraphDir(revision, comp.name(), r));
    }
    return files;
  }

  /** What a retried attempt needs to resume: the job IDs per replica. */
  static String token(Map<Integer, String> jobs) {
    StringJoiner j = new StringJoiner(",");
    jobs.forEach((r, id) -> j.add(r + "=" + id));
    return j.toString();
  }
}

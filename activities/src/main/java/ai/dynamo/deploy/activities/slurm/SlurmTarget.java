package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.DeployTarget;
import ai.dynamo.deploy.activities.LiveRevision;
import ai.dynamo.deploy.activities.LogRequest;
import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.activities.Room;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.render.Renderers;
import ai.dynamo.deploy.workflows.ComponentChange;
import ai.dynamo.deploy.workflows.HeldCancelled;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RevisionSpec;
import ai.dynamo.deploy.workflows.RollbackRequest;
import ai.dynamo.deploy.workflows.Stage;
import ai.dynamo.deploy.workflows.StepRequest;
import ai.dynamo.deploy.workflows.UpdateSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * Deploys graphs to Slurm over SSH (docs/slurm-target.md). Each method opens one SSH connection for its activity
 * (or takes one kept by the pool) and reads what it needs back from the cluster (job-id files, squeue, the state
 * file), so every step is idempotent and a retried attempt on another worker simply continues. The one thing kept
 * between calls is a hint: the job IDs an apply was answered with ({@link AppliedJobs}), checked against the
 * cluster before a wait acts on a job found ended.
 *
 * <p>Updates are blue/green: the new revision's jobs start beside the old ones; once all are ready
 * {@link #recordRevision} makes the new revision current and cancels the previous revision's jobs. A failed revision
 * is rolled back by cancelling its own jobs only (identified by job name and the deploy identity in the comment).
 */
public final class SlurmTarget implements DeployTarget {
  public static final String KIND = "slurm";

  private final SecretSource secrets;
  private final Duration cancelGrace;
  private final SlurmRevisions revisions;
  private final StatusFollowers followers;
  private final SlurmApplies applies;
  private final AppliedJobs applied = new AppliedJobs();
  /** Bound of each remote command; null: the options' default ({@link SshOptions#COMMAND_TIMEOUT}). */
  private Duration commandTimeout;

  /**
   * The worker's target: secrets from the worker's environment; readiness pushed by the jobs and followed
   * ({@link StatusFollower}, one squeue per deploy every 10 s); a rollback's restore polls from 1 s backing off to 15 s.
   */
  public SlurmTarget() {
    this(WorkerSecretSource.fromEnvironment(), Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofSeconds(30));
  }

  public SlurmTarget(SecretSource secrets, Duration firstPoll, Duration maxPoll, Duration cancelGrace) {
    this(secrets, firstPoll, maxPoll, cancelGrace, StatusFollower.SQUEUE_EVERY);
  }

  /** @param squeueEvery how often the deploy's status follower asks Slurm about its jobs (one squeue for all) */
  public SlurmTarget(SecretSource secrets, Duration firstPoll, Duration maxPoll, Duration cancelGrace,
      Duration squeueEvery) {
    this.followers = new StatusFollowers(squeueEvery);
    this.secrets = secrets;
    this.applies = new SlurmApplies(secrets, applied);
    this.cancelGrace = cancelGrace;
    this.revisions = new SlurmRevisions(this, firstPoll, maxPoll, cancelGrace);
  }

  /**
   * This target with every remote command bounded by {@code timeout} (the CLI's {@code --request-timeout}, for
   * {@code logs}); a worker's commands keep the longer default, room for sbatch under a loaded controller.
   */
  public SlurmTarget withCommandTimeout(Duration timeout) {
    this.commandTimeout = timeout;
    return this;
  }

  /** The bound of each remote command ({@link #withCommandTimeout}); null: {@link SshOptions#COMMAND_TIMEOUT}. */
  Duration commandTimeout() {
    return commandTimeout;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public List<String> validate(DeployContext ctx) {
    return SlurmSettings.problems(ctx.settings());
  }

  /**
   * Loads and runs the SSH stack ({@link SshWarmUp}), the apply program, the sbatch rendering and the state file's JSON
   * mapping, as a first deploy would. No login: which login nodes the next deploys use is not known here (the first
   * deploy starts its login ahead instead, {@link #prepare}).
   */
  @Override
  public void warmUp(Graph sample) {
    SshWarmUp.run();
    String program = BatchSubmitter.PROGRAM; // initialises BatchSubmitter: reads the apply program from the jar
    Renderers.render(sample, KIND, Map.of());
    try {
      DeployStateStore.warmUp();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Logs in to the login node in the background ({@link SlurmSession#prepare}), while the deploy plans: the
   * preflight then finds the login done or under way instead of starting it.
   */
  @Override
  public void prepare(DeployContext ctx) {
    SlurmSession.prepare(ctx);
  }

  /**
   * The first contact: a login node (or jump host) that cannot be reached, has no Slurm commands, or where the
   * remote directory cannot be written fails the deploy at once (not retried for minutes), saying what to fix.
   */
  @Override
  public List<String> preflight(DeployContext ctx) {
    List<String> warnings = new ArrayList<>();
    try {
      SshEndpoints endpoints = SlurmSettings.endpoints(ctx.settings());
      endpoints.resolve(ctx.settings().get(SlurmSettings.SSH_HOST));
      endpoints.warnings().forEach(w -> warnings.add("ssh config: " + w));
    } catch (SlurmError e) {
      throw SlurmSession.failure(e);
    }
    return guard(ctx, true, s -> {
      // The worker's own check first: it needs no round trip, and nothing is created on the cluster when it fails.
      List<String> missing = secrets.missing(ctx.graph());
      if (!missing.isEmpty()) {
        throw TargetFailure.preflightFailed("the worker has no value for secret(s) " + String.join(", ", missing)
            + " (set DYNAMO_SECRET_<NAME> or DYNAMO_WORKER_SECRETS_DIR on the worker; docs/slurm-target.md)");
      }
      LoginNodeChecks.run(s.ssh(), s.ssh().endpoint().display(), ctx.settings().get(TargetSettingKeys.SLURM_PARTITION),
          s.layout().graphDir());
      return warnings;
    });
  }

  @Override
  public int currentRevision(DeployContext ctx) {
    return guard(ctx, s -> new DeployStateStore(s.ssh(), s.layout()).read(ctx.graph().name()).currentRevision());
  }

  @Override
  public ReadyState apply(DeployContext ctx, int revision, Component c, Stage stage) {
    return apply(ctx, revision, c, stage, null);
  }

  /** Recreate: the component's live jobs end first; blue/green with nodes to avoid: submitted with --exclude. */
  @Override
  public ReadyState apply(DeployContext ctx, int revision, Component c, Stage stage, ComponentChange change) {
    if (stage != Stage.WORKERS) return submit(ctx, revision, c, stage, change, false, 0);
    return guard(ctx, s -> {
      Map<Integer, String> jobs = RevisionJobs.of(ctx, s, revision, c);
      for (int r : jobs.keySet()) {
        s.ssh().writeFile(s.layout().startWorkersFile(revision, c.name(), r), START_WORKERS, 0600);
      }
      return new ReadyState(0, stage.units(c), "released the workers of job(s) " + String.join(", ", jobs.values()));
    });
  }

  /**
   * Held starts: a job submitted early waits for its start file (docs/slurm-target.md "Held starts"); unless the
   * setting {@code heldStarts} is false.
   */
  @Override
  public boolean startsHeld(DeployContext ctx) {
    return SlurmSettings.heldStarts(ctx.settings());
  }

  /** A held apply submits the jobs with a hold; any other apply of the stage releases them (see submit-batch.sh). */
  @Override
  public ReadyState apply(DeployContext ctx, Component c, StepRequest step) {
    if (step.stage() == Stage.WORKERS) return apply(ctx, step.revision(), c, step.stage(), step.change());
    return submit(ctx, step.revision(), c, step.stage(), step.change(), step.held(), step.together());
  }

  /**
   * The files and jobs of a wave's components go in one remote command per deploy ({@link SlurmApplies}). That
   * command also finds a component that already runs this revision of this spec (a retried deploy resumes): it
   * writes and submits nothing for it, and the step says so ({@link DeployTarget#alreadyCurrent}). So this target
   * leaves {@link #isCurrent} false: asking apart would cost a round trip per wave.
   */
  private ReadyState submit(DeployContext ctx, int revision, Component c, Stage stage, ComponentChange change,
      boolean held, int together) {
    String stopped = change != null && change.recreates()
        ? guard(ctx, s -> revisions.stopLive(ctx, s, c, revision)) : "";
    String avoid = change == null ? "" : change.avoid();
    BatchSubmitter.Result applied =
        applies.submit(ctx, new BatchSubmitter.Apply(revision, c, avoid, held), together, commandTimeout);
    if (applied.current()) return DeployTarget.alreadyCurrent(revision, c, stage);
    if (!applied.jobs().isEmpty() && applied.jobs().stream().allMatch(BatchSubmitter.Job::released)) {
      return new ReadyState(0, stage.units(c), "started job(s) "
          + String.join(", ", applied.jobs().stream().map(BatchSubmitter.Job::id).toList())
          + " (submitted held with the wave before)");
    }
    StringJoiner ids = new StringJoiner(", ");
    for (BatchSubmitter.Job job : applied.jobs()) {
      ids.add(job.id() + (job.adopted() ? " (already submitted)" : "")
          + (job.replaced().isEmpty() ? "" : " (replacing job " + job.replaced() + ", which ran another spec as this"
              + " revision: cancelled)"));
    }
    String exclude = avoid.isEmpty() ? "" : " with --exclude=" + avoid;
    String start = held ? ", held until released" : "";
    return new ReadyState(0, stage.units(c), stopped + "submitted job(s) " + ids + exclude + start);
  }

  @Override
  public ReadyState awaitReady(DeployContext ctx, int revision, Component c, Stage stage, ReadinessWatch watch) {
    return awaitReady(ctx, revision, c, stage, null, watch);
  }

  /**
   * A blue/green copy whose job stays PENDING for lack of resources longer than the grace fails the component at
   * once ({@link BlueGreenGrace}): it would otherwise wait for the readiness timeout.
   */
  @Override
  public ReadyState awaitReady(DeployContext ctx, int revision, Component c, Stage stage, ComponentChange change,
      ReadinessWatch watch) {
    BlueGreenGrace grace = new BlueGreenGrace(change, UpdateSettings.blueGreenGrace(ctx.settings()), c);
    // Shared with the run's other waits: a wave of them would otherwise log in all at once for occasional commands.
    return SlurmSession.guardShared(ctx, commandTimeout, s -> {
      PushedReadinessWait wait = new PushedReadinessWait(followers, ctx, s, revision, c, slurmStage(stage));
      RevisionJobs.Found found = RevisionJobs.forWait(applied, ctx, s, revision, c);
      try {
        return wait.await(found.jobs(), grace, watch);
      } catch (SlurmError e) {
        if (!found.remembered() || e.kind() != SlurmError.Kind.JOB_FAILED) throw e;
        // A remembered job is this worker's apply's answer; another worker's retried apply may have replaced it.
        Map<Integer, String> onCluster = RevisionJobs.of(ctx, s, revision, c);
        if (onCluster.equals(found.jobs())) throw e;
        return wait.await(onCluster, grace, watch);
      }
    });
  }

  /** {@link SlurmRecord}: current in state.json, then the jobs no longer in it go. */
  @Override
  public void recordRevision(DeployContext ctx, RevisionRecord record) {
    guard(ctx, s -> {
      new SlurmRecord(this, revisions, cancelGrace).run(ctx, s, record);
      return null;
    });
  }

  /** {@link SlurmRollback}: the failed revision's own jobs only. */
  @Override
  public String rollback(DeployContext ctx, RollbackRequest request, ReadinessWatch watch) {
    return guard(ctx, s -> new SlurmRollback(revisions, cancelGrace).run(ctx, s, request, watch));
  }

  /** Cancels the never-released held jobs of an aborted deploy ({@link SlurmHeldCancel}). */
  @Override
  public HeldCancelled cancelHeld(DeployContext ctx, int revision, List<String> components, ReadinessWatch watch) {
    return guard(ctx, s -> new SlurmHeldCancel(cancelGrace).run(ctx, s, revision, components, watch));
  }

  @Override
  public List<RevisionEntry> history(DeployContext ctx) {
    return guard(ctx, true, s -> new SlurmRecords(s.ssh(), s.layout()).history(ctx.graph().name()));
  }

  @Override
  public Optional<RevisionSpec> revisionSpec(DeployContext ctx, int revision) {
    return guard(ctx, true, s -> new SlurmRecords(s.ssh(), s.layout()).spec(ctx.graph().name(), revision));
  }

  // ---- per-component updates (SlurmRevisions) ----------------------------------------------------------------

  @Override
  public LiveRevision liveRevision(DeployContext ctx) {
    return revisions.liveRevision(ctx);
  }

  @Override
  public Room roomBeside(DeployContext ctx, Component c, LiveRevision.Component live) {
    return revisions.roomBeside(ctx, c, live);
  }

  @Override
  public Map<String, String> liveFiles(DeployContext ctx, String component, LiveRevision.Component live) {
    return revisions.liveFiles(ctx, component, live);
  }

  // ---- operating by name (SlurmUninstall, SlurmLogs) ---------------------------------------------------------

  @Override
  public int lastRevision(DeployContext ctx) {
    return guard(ctx, s -> new DeployStateStore(s.ssh(), s.layout()).read(ctx.graph().name()).lastRevision());
  }

  /** Slurm keeps its records in any case ({@code keepHistory} changes nothing): they hold no secret. */
  @Override
  public String uninstall(DeployContext ctx, boolean keepHistory, ReadinessWatch watch) {
    return guard(ctx, true, s -> new SlurmUninstall(s.ssh(), s.slurm(), s.layout(), cancelGrace).run(ctx, watch));
  }

  @Override
  public void logs(DeployContext ctx, LogRequest request, Consumer<String> lines) {
    guard(ctx, true, s -> {
      new SlurmLogs(s.ssh(), s.layout()).read(ctx.graph().name(), request, lines);
      return null;
    });
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  /** The content of start-workers: a line, so that the job's tail -F wakes its read at once (docs/slurm.md). */
  static final byte[] START_WORKERS = "start\n".getBytes(StandardCharsets.UTF_8);

  private <T> T guard(DeployContext ctx, SlurmSession.Body<T> body) {
    return guard(ctx, false, body);
  }

  /** {@link SlurmSession#guard} with this target's command bound ({@link #withCommandTimeout}). */
  private <T> T guard(DeployContext ctx, boolean firstContact, SlurmSession.Body<T> body) {
    return SlurmSession.guard(ctx, firstContact, commandTimeout, body);
  }

  private static SlurmStage slurmStage(Stage stage) {
    return SlurmStage.valueOf(stage.name());
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw TargetFailure.transientFailure("interrupted while waiting for jobs to end", e);
    }
  }
}

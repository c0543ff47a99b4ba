package ai.dynamo.deploy.workflows;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * The deploy, as a script: validate, plan, preflight; then each wave ({@link WaveRunner}), pausing for a decision
 * on failure when asked to ({@link PauseGate}); record the revision. Any failure rolls back ({@link Rollback}),
 * within its own time budget; so does cancellation, in a detached scope. Progress, UI details and search
 * attributes are published by {@link ProgressPublisher}; activity stubs come from {@link DeploySteps}.
 *
 * <p>Ends: READY returns a {@link DeployResult}; a failed deploy fails the workflow with an
 * {@code ApplicationFailure} of type {@link DeployFailures#DEPLOY_FAILED} whose details are the
 * {@link DeployResult}, so the Temporal UI shows it as failed; a cancelled deploy ends cancelled.
 *
 * <p>Every change to the commands this issues (activities, their order, timers, upserts) must keep the committed
 * replay histories passing: use {@code Workflow.getVersion}.
 */
public class DeployWorkflowImpl implements DeployWorkflow {
  private static final Logger log = Workflow.getLogger(DeployWorkflowImpl.class);
  private static final String CANCELLED_EARLY = "cancelled before anything was applied";
  /**
   * Version of per-component updates (the {@code PlanUpdate} step; unchanged components adopted, strategies):
   * runs recorded before it applied every component.
   */
  static final String UPDATE_PLANNING_CHANGE = "per-component-updates";
  /**
   * Version of held starts (the components a later wave adds are submitted with the wave before, held; {@link
   * WaveRunner}): runs recorded before it submitted each wave once the one before was ready.
   */
  static final String HELD_STARTS_CHANGE = "held-starts";

  private DeployOptions options;
  private ProgressPublisher progress;
  private PauseGate pauseGate;
  private int previousRevision;
  private int revision;
  /** Render and preflight warnings: they do not stop the deploy and are repeated in its last message. */
  private final List<String> warnings = new ArrayList<>();
  private Rollback rollback;
  /** What the deploy does per component; null in runs from before per-component updates (everything applied). */
  private UpdatePlan update;
  /** The target can hold a component's start (from its preflight). */
  private boolean targetStartsHeld;
  /** The activity stubs (an abort's clean-up of held jobs uses them too). */
  private DeploySteps steps;

  @Override
  public DeployResult deploy(DeployRequest request) {
    options = DeployOptions.withDefaults(request.options());
    progress = ProgressPublisher.start(request);
    pauseGate = new PauseGate(progress, options, request.target());
    steps = new DeploySteps(progress.graph(), progress.target());
    DeployPlan plan;
    try {
      plan = prepare(steps);
    } catch (CanceledFailure e) {
      progress.enter(Phase.CANCELLED, CANCELLED_EARLY);
      throw e;
    } catch (ActivityFailure e) {
      if (cancelRequested()) {
        progress.enter(Phase.CANCELLED, CANCELLED_EARLY);
        throw new CanceledFailure("cancelled by request");
      }
      throw failed(Phase.FAILED, "nothing was applied: " + FailureReasons.reason(e));
    }

    if (update != null && update.nothingToDo()) return unchanged();
    List<ComponentChange> changes = update == null ? null : update.components();
    rollback = new Rollback(progress, steps, previousRevision, revision, options.rollbackTimeout(), changes);
    // Asked only where it can matter, so that the runs of other targets record no marker for it.
    boolean holdNext = targetStartsHeld && update != null && plan.waves().size() > 1
        && Workflow.getVersion(HELD_STARTS_CHANGE, Workflow.DEFAULT_VERSION, 1) == 1;
    WaveRunner waves = new WaveRunner(plan, revision, options, progress, rollback::touched, update, holdNext);
    pauseGate.heldUntilNextWave(() -> waves.neverReleased(true));
    try {
      runWaves(waves);
      progress.enter(Phase.RECORDING, "recording revision " + revision);
      steps.record(new RevisionRecord(revision, request.specDigest(), options.startedBy(),
          Workflow.getInfo().getWorkflowId(), Workflow.getInfo().getRunId(), Workflow.currentTimeMillis()));
      if (update != null) {
        for (String removed : update.names(ChangeKind.REMOVE)) progress.component(removed, ComponentPhase.REMOVED);
      }
    } catch (CanceledFailure e) {
      throw rollback.afterCancel(e, waves);
    } catch (StepFailed e) {
      if (cancelRequested()) throw rollback.afterCancel(new CanceledFailure("cancelled by request"), waves);
      String outcome = rollback.undoDetached(e.getMessage());
      Phase end = rollback.failed() ? Phase.FAILED : e.timedOut() ? Phase.TIMED_OUT : Phase.ROLLED_BACK;
      throw failed(end, e.getMessage() + "; " + outcome);
    } catch (ActivityFailure e) {
      if (cancelRequested()) throw rollback.afterCancel(new CanceledFailure("cancelled by request"), waves);
      String outcome = rollback.undoDetached("recording the revision failed: " + FailureReasons.reason(e));
      throw failed(rollback.failed() ? Phase.FAILED : Phase.ROLLED_BACK, FailureReasons.reason(e) + "; " + outcome);
    }

    String ready = plan.components().size() + " components ready, revision " + revision
        + (update == null ? "" : " (" + update.summary() + ")");
    progress.enter(Phase.READY, warnings.isEmpty() ? ready : ready + " (warnings: " + String.join("; ", warnings) + ")");
    return new DeployResult(Phase.READY, revision, progress.snapshot().message(), progress.snapshot());
  }

  /** Validate, plan and preflight: nothing is applied yet. Returns the plan; sets the revisions. */
  private DeployPlan prepare(DeploySteps steps) {
    progress.enter(Phase.VALIDATING, "checking the graph for " + progress.target());
    steps.validate();

    progress.enter(Phase.RENDERING, "rendering " + progress.graph());
    DeployPlan plan = steps.plan();
    warnings.addAll(plan.warnings());

    progress.enter(Phase.PREFLIGHT, "checking " + progress.target() + " before applying anything");
    PreflightResult preflight = steps.preflight();
    warnings.addAll(preflight.warnings());
    for (String w : warnings) log.warn("deploy {}: {}", progress.graph(), w);
    previousRevision = preflight.previousRevision();
    revision = preflight.nextRevision();
    targetStartsHeld = preflight.startsHeld();
    progress.revision(revision);
    if (Workflow.getVersion(UPDATE_PLANNING_CHANGE, Workflow.DEFAULT_VERSION, 1) == 1) {
      progress.enter(Phase.PREFLIGHT, previousRevision == 0 ? "first install of " + progress.graph()
          : "comparing with revision " + previousRevision + ", per component");
      update = steps.planUpdate();
      progress.planned(update);
      for (String note : update.notes()) log.info("deploy {}: {}", progress.graph(), note);
    }
    return plan;
  }

  /** Nothing changed and the live revision is healthy: READY at once, nothing applied, no revision recorded. */
  private DeployResult unchanged() {
    progress.revision(previousRevision);
    String message = "unchanged: revision " + previousRevision + " is live and healthy ("
        + update.components().size() + " component" + (update.components().size() == 1 ? "" : "s")
        + "); nothing applied";
    progress.enter(Phase.READY, message);
    return new DeployResult(Phase.READY, previousRevision, message, progress.snapshot());
  }

  /** Every wave in order; a failed wave pauses for a decision when the deploy asked for that. */
  private void runWaves(WaveRunner waves) {
    int wave = 0;
    while (wave < waves.waves()) {
      try {
        waves.run(wave);
        wave++;
      } catch (StepFailed e) {
        if (!pauseGate.pausesOnFailure()) throw e;
        switch (pauseGate.pause(e)) {
          case RETRY -> {} // the same wave again; its READY components are skipped
          case ABORT -> throw aborted(e, new HeldJobsOnAbort(progress, steps, revision).cancel(waves));
          case ROLLBACK -> throw e;
          case TIMEOUT -> throw new StepFailed(e.getMessage() + " (paused, no decision within "
              + Durations.human(options.pauseTimeout()) + ")", e.timedOut());
        }
      }
    }
  }

  /** @param held what became of the held jobs that never started ({@link HeldJobsOnAbort}); empty when none */
  private ApplicationFailure aborted(StepFailed failure, String held) {
    String live = previousRevision > 0 ? "revision " + previousRevision + " stays the recorded one"
        : "no revision is recorded";
    return failed(Phase.FAILED, "aborted while paused, nothing rolled back (what revision " + revision
        + " applied is left as it is; " + live + (held.isEmpty() ? "" : "; " + held) + "): " + failure.getMessage());
  }

  /** Ends the deploy in {@code phase}: the failure whose details are the {@link DeployResult}. */
  private ApplicationFailure failed(Phase phase, String message) {
    progress.enter(phase, message);
    int live = rollback != null && rollback.failed() ? 0 : previousRevision;
    DeployResult result = new DeployResult(phase, live, message, progress.snapshot());
    return ApplicationFailure.newNonRetryableFailure(message, DeployFailures.DEPLOY_FAILED, result);
  }

  private static boolean cancelRequested() {
    return CancellationScope.current().isCancelRequested();
  }

  // ---- query and decisions (Updates on a paused deploy, handled by the pause gate) ------------------------------

  @Override
  public DeployProgress progress() {
    return progress == null ? null : progress.snapshot();
  }

  @Override public String retry() { return pauseGate.retry(); }
  @Override public String rollback() { return pauseGate.rollback(); }
  @Override public String abort() { return pauseGate.abort(); }
  @Override public void validateRetry() { requirePaused("retry"); }
  @Override public void validateRollback() { requirePaused("rollback"); }
  @Override public void validateAbort() { requirePaused("abort"); }

  private void requirePaused(String what) {
    if (pauseGate == null) throw new IllegalStateException(what + " is not possible yet: the deploy has not started");
    pauseGate.requirePaused(what);
  }
}

package ai.dynamo.deploy.workflows;

import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;

/**
 * The deploy, step by step: validate, plan, preflight, then each wave of components in parallel (a multi-node
 * group's leader ready before its workers are applied), record the revision. Any failure rolls back within its
 * own time budget; so does cancellation, in a detached scope.
 *
 * <p>Components of a wave are driven from the workflow thread as small state machines over activity promises
 * (no workflow thread per component: a 1,000-component graph would exhaust the worker's workflow threads).
 *
 * <p>Ends: READY returns a {@link DeployResult}; a failed deploy fails the workflow with an
 * {@code ApplicationFailure} of type {@link DeployFailures#DEPLOY_FAILED} whose details are the
 * {@link DeployResult}, so the Temporal UI shows it as failed; a cancelled deploy ends cancelled.
 */
public class DeployWorkflowImpl implements DeployWorkflow {
  private static final Logger log = Workflow.getLogger(DeployWorkflowImpl.class);

  private DeployRequest request;
  private DeployOptions options;
  private ProgressBoard board;
  private final Set<SearchAttributeKey<?>> searchKeys = new LinkedHashSet<>();
  private DeployPlan plan;
  private int previousRevision;
  private int revision;
  /** Render and preflight warnings: they do not stop the deploy and are repeated in its last message. */
  private final List<String> warnings = new ArrayList<>();
  /** Components the new revision touched (an apply was started): what a rollback must undo. */
  private final Set<String> touched = new LinkedHashSet<>();
  /** Rollouts of the running wave: a cancelled deploy waits for their applies to settle before rolling back. */
  private final List<Rollout> running = new ArrayList<>();

  @Override
  public DeployResult deploy(DeployRequest request) {
    this.request = request;
    this.options = withDefaults(request.options());
    this.board = new ProgressBoard(request, now());
    for (SearchAttributeKey<?> key : DeploySearchAttributes.ALL) {
      if (Workflow.getTypedSearchAttributes().containsKey(key)) searchKeys.add(key);
    }
    try {
      enter(Phase.VALIDATING, "checking the graph for " + board.target());
      activities(ActivityPolicies.quick(), "validate " + board.graph() + " for " + board.target()).validate();

      enter(Phase.RENDERING, "rendering " + board.graph());
      plan = activities(ActivityPolicies.quick(), "plan " + board.graph()).plan();
      warnings.addAll(plan.warnings());

      enter(Phase.PREFLIGHT, "checking " + board.target() + " before applying anything");
      PreflightResult preflight =
          activities(ActivityPolicies.preflight(), "preflight " + board.target()).preflight();
      warnings.addAll(preflight.warnings());
      for (String w : warnings) log.warn("deploy {}: {}", board.graph(), w);
      previousRevision = preflight.previousRevision();
      revision = previousRevision + 1;
      board.revision(revision, now());
    } catch (CanceledFailure e) {
      end(Phase.CANCELLED, "cancelled before anything was applied");
      throw e;
    } catch (ActivityFailure e) {
      if (cancelRequested()) {
        end(Phase.CANCELLED, "cancelled before anything was applied");
        throw new CanceledFailure("cancelled by request");
      }
      throw failed(Phase.FAILED, "nothing was applied: " + reason(e));
    }

    try {
      int wave = 0;
      while (wave < plan.waves().size()) {
        try {
          runWave(wave, plan.waves().get(wave));
          wave++;
        } catch (StepFailed e) {
          if (!pausesOnFailure()) throw e;
          switch (pause(e)) {
            case RETRY -> {} // the same wave again; its READY components are skipped
            case ABORT -> throw aborted(e);
            case ROLLBACK -> throw e;
            case TIMEOUT -> throw new StepFailed(e.getMessage() + " (paused, no decision within "
                + Durations.human(options.pauseTimeout()) + ")", e.timedOut);
          }
        }
      }
      enter(Phase.RECORDING, "recording revision " + revision);
      activities(ActivityPolicies.record(), "record " + board.graph() + " rev " + revision)
          .recordRevision(
              new RevisionRecord(
                  revision,
                  request.specDigest(),
                  options.startedBy(),
                  Workflow.getInfo().getWorkflowId(),
                  Workflow.getInfo().getRunId(),
                  now()));
    } catch (CanceledFailure e) {
      throw cancelled(e);
    } catch (StepFailed e) {
      if (cancelRequested()) throw cancelled(new CanceledFailure("cancelled by request"));
      String outcome = rollBackDetached(e.getMessage());
      Phase end = rollbackFailed ? Phase.FAILED : e.timedOut ? Phase.TIMED_OUT : Phase.ROLLED_BACK;
      throw failed(end, e.getMessage() + "; " + outcome);
    } catch (ActivityFailure e) {
      if (cancelRequested()) throw cancelled(new CanceledFailure("cancelled by request"));
      String outcome = rollBackDetached("recording the revision failed: " + reason(e));
      throw failed(rollbackFailed ? Phase.FAILED : Phase.ROLLED_BACK, reason(e) + "; " + outcome);
    }

    String ready = plan.components().size() + " components ready, revision " + revision;
    enter(Phase.READY, warnings.isEmpty() ? ready : ready + " (warnings: " + String.join("; ", warnings) + ")");
    return new DeployResult(Phase.READY, revision, board.snapshot().message(), board.snapshot());
  }

  @Override
  public DeployProgress progress() {
    return board == null ? null : board.snapshot();
  }

  // ---- waves ----------------------------------------------------------------------------------------------

  private void runWave(int index, List<String> all) {
    // A retried wave skips what is READY already (a first run has nothing READY: same commands as before).
    List<String> names = all.stream().filter(n -> !isReady(n)).toList();
    if (names.isEmpty()) return;
    enter(Phase.APPLYING, "wave " + (index + 1) + " of " + plan.waves().size() + ": applying " + names.size()
        + " component" + (names.size() == 1 ? "" : "s"));
    running.clear();
    for (String name : names) running.add(new Rollout(plan.component(name)));
    StepFailed failure = null;
    for (Rollout r : running) r.start();
    refreshDetails();
    while (failure == null && !running.stream().allMatch(Rollout::done)) {
      // Throws CanceledFailure when the deploy is cancelled; the caller rolls back.
      Workflow.await(() -> running.stream().anyMatch(Rollout::hasNews));
      for (Rollout r : running) {
        if (!r.hasNews()) continue;
        StepFailed f = r.advance();
        if (f != null && failure == null) failure = f;
      }
      if (failure == null
          && board.phase() == Phase.APPLYING
          && running.stream().allMatch(Rollout::pastFirstApply)) {
        enter(Phase.WAITING, waitingMessage(), false);
      }
      refreshDetails();
    }
    if (failure != null) {
      // Stop the rest of the wave: waits are cancelled; applies are short and are waited for, never abandoned.
      for (Rollout r : running) r.cancelWait();
      settleRunningApplies();
      throw failure;
    }
  }

  /** Waits for cancelled steps of the running wave to settle (applies are waited for, never abandoned). */
  private void settleRunningApplies() {
    Workflow.await(
        options.rollbackTimeout(), () -> running.stream().allMatch(Rollout::settled));
  }

  private String waitingMessage() {
    List<String> waiting = new ArrayList<>();
    for (Rollout r : running) if (!r.done()) waiting.add(r.plan.name());
    if (waiting.isEmpty()) return "all components of the wave ready";
    String names = String.join(", ", waiting.subList(0, Math.min(5, waiting.size())));
    if (waiting.size() > 5) names += " and " + (waiting.size() - 5) + " more";
    return "waiting for " + names;
  }

  /** One component's way through its stages: apply, then await, per stage (leader before workers). */
  private final class Rollout {
    final ComponentPlan plan;
    final List<Stage> stages;
    int stageIndex = -1;
    boolean awaiting;
    boolean finished;
    Promise<ReadyState> current;
    /** The scope of the running wait, cancelled when another component of the wave fails. */
    CancellationScope waitScope;
    long deadlineMillis;

    Rollout(ComponentPlan plan) {
      this.plan = plan;
      this.stages = plan.stages();
    }

    Stage stage() {
      return stages.get(stageIndex);
    }

    void start() {
      deadlineMillis = now() + options.readinessTimeout().toMillis();
      nextStage();
    }

    boolean hasNews() {
      return !finished && current != null && current.isCompleted();
    }

    boolean done() {
      return finished;
    }

    boolean settled() {
      return current == null || current.isCompleted();
    }

    boolean pastFirstApply() {
      return finished || stageIndex > 0 || awaiting;
    }

    private void nextStage() {
      stageIndex++;
      awaiting = false;
      touched.add(plan.name());
      board.component(plan.name(), ComponentPhase.APPLYING, now());
      String what =
          switch (stage()) {
            case ALL -> "apply ";
            case LEADER -> "apply leader of ";
            case WORKERS -> "start workers of ";
          };
      DeployActivities applies =
          Workflow.newLocalActivityStub(
              DeployActivities.class,
              LocalActivityOptions.newBuilder(ActivityPolicies.apply())
                  .setSummary(what + plan.name() + " (" + plan.summary() + ")")
                  .build());
      StepRequest step = StepRequest.apply(revision, plan.name(), stage());
      // Detached: a cancelled deploy waits for its applies to finish before it rolls back.
      Workflow.newDetachedCancellationScope(() -> current = Async.function(applies::apply, step)).run();
    }

    private void await(ReadyState applied) {
      awaiting = true;
      ComponentPhase phase =
          switch (stage()) {
            case ALL -> ComponentPhase.WAITING;
            case LEADER -> ComponentPhase.WAITING_LEADER;
            case WORKERS -> ComponentPhase.WAITING_WORKERS;
          };
      board.component(plan.name(), phase, readySoFar(0), plan.desired(), applied.message(), now());
      Duration left = Duration.ofMillis(Math.max(1000, deadlineMillis - now()));
      String what = stage() == Stage.ALL ? "" : stage() == Stage.LEADER ? " leader" : " workers";
      String summary = "await " + plan.name() + what + " ready (" + plan.summary() + ")";
      ActivityCancellationType onStop =
          Workflow.getVersion(ABANDON_STOPPED_WAITS, Workflow.DEFAULT_VERSION, 1) == 1
              ? ActivityCancellationType.ABANDON
              : ActivityCancellationType.TRY_CANCEL;
      DeployActivities waits = activities(
          ActivityOptions.newBuilder(ActivityPolicies.awaitReady(left)).setCancellationType(onStop).build(), summary);
      StepRequest step = new StepRequest(revision, plan.name(), stage(), left);
      waitScope =
          Workflow.newCancellationScope(
              () -> current = Async.function(waits::awaitReady, step));
      waitScope.run();
    }

    void cancelWait() {
      if (awaiting && !finished && !current.isCompleted()) waitScope.cancel();
    }

    /** Ready units of the whole component, given the ready units of the current stage. */
    private int readySoFar(int readyInStage) {
      return stage() == Stage.WORKERS ? plan.desired(Stage.LEADER) + readyInStage : readyInStage;
    }

    /** Handles the completed step and starts the next one; returns the failure when the step failed. */
    StepFailed advance() {
      RuntimeException error = current.getFailure();
      if (error != null) {
        finished = true;
        String why = reason(error);
        board.component(plan.name(), ComponentPhase.FAILED, board.component(plan.name()).ready(), plan.desired(),
            why, now());
        return new StepFailed(plan.name() + ": " + why, isTimeout(error));
      }
      ReadyState state = current.get();
      if (!awaiting) {
        await(state);
        return null;
      }
      if (stageIndex + 1 < stages.size()) {
        board.component(plan.name(), ComponentPhase.APPLYING, readySoFar(state.ready()), plan.desired(),
            state.message(), now());
        nextStage();
        return null;
      }
      finished = true;
      board.component(plan.name(), ComponentPhase.READY, readySoFar(state.ready()), plan.desired(), state.message(),
          now());
      return null;
    }
  }

  /** A component failed (or timed out); caught by {@link #deploy}, never leaves the workflow. */
  private static final class StepFailed extends RuntimeException {
    final boolean timedOut;

    StepFailed(String message, boolean timedOut) {
      super(message, null, false, false);
      this.timedOut = timedOut;
    }
  }

  private boolean isReady(String component) {
    ComponentProgress c = board.component(component);
    return c != null && c.phase() == ComponentPhase.READY;
  }

  // ---- pause on failure (--on-failure pause) ------------------------------------------------------------------

  /** Version of the pause behaviour: runs recorded before it never paused (they had no onFailure option). */
  static final String PAUSE_CHANGE = "pause-on-failure";
  /**
   * Waits stopped because another component failed are abandoned (ActivityCancellationType.ABANDON) rather than
   * sent a cancel request: Temporal's Java test server (the embedded default and {@code dynamo server}) hangs a
   * workflow that requests cancellation of an activity in the same workflow task in which that activity completes
   * (temporalio/sdk-java#2391). An abandoned wait ends by itself: its target is rolled back under it, and once the
   * deploy closes its next heartbeat fails.
   */
  static final String ABANDON_STOPPED_WAITS = "abandon-stopped-waits";

  private enum Decision { RETRY, ROLLBACK, ABORT, TIMEOUT }

  /** The decision an Update delivered while paused; null while none. */
  private Decision decision;

  private boolean pausesOnFailure() {
    return options.onFailure() == OnFailure.PAUSE
        && Workflow.getVersion(PAUSE_CHANGE, Workflow.DEFAULT_VERSION, 1) == 1;
  }

  /** Keeps the failed state and waits for a decision (or the pause timeout); cancellation throws from here. */
  private Decision pause(StepFailed failure) {
    decision = null;
    enter(Phase.PAUSED, "paused: " + failure.getMessage() + ". Decide with `dynamo deploy retry|rollback|abort "
        + board.graph() + "`; rolls back by itself after " + Durations.human(options.pauseTimeout()));
    log.warn("deploy {} paused: {}", board.graph(), failure.getMessage());
    boolean decided = Workflow.await(options.pauseTimeout(), () -> decision != null);
    Decision taken = decided ? decision : Decision.TIMEOUT;
    decision = null;
    if (taken == Decision.RETRY) {
      for (String name : failedComponents()) board.component(name, ComponentPhase.PENDING, now());
    }
    return taken;
  }

  private List<String> failedComponents() {
    List<String> failed = new ArrayList<>();
    for (ComponentProgress c : board.snapshot().components()) {
      if (c.phase() == ComponentPhase.FAILED) failed.add(c.name());
    }
    return failed;
  }

  private ApplicationFailure aborted(StepFailed failure) {
    String live = previousRevision > 0 ? "revision " + previousRevision + " stays the recorded one"
        : "no revision is recorded";
    return failed(Phase.FAILED, "aborted while paused, nothing rolled back (what revision " + revision
        + " applied is left as it is; " + live + "): " + failure.getMessage());
  }

  @Override
  public String retry() {
    decision = Decision.RETRY;
    return "retrying " + String.join(", ", failedComponents()) + " of " + board.graph() + " revision " + revision
        + " (components already ready are not touched)";
  }

  @Override
  public void validateRetry() {
    requirePaused("retry");
  }

  @Override
  public String rollback() {
    decision = Decision.ROLLBACK;
    return "rolling back " + board.graph() + " revision " + revision
        + (previousRevision > 0 ? " to revision " + previousRevision : " (first install: removing it)");
  }

  @Override
  public void validateRollback() {
    requirePaused("rollback");
  }

  @Override
  public String abort() {
    decision = Decision.ABORT;
    return "aborting " + board.graph() + " revision " + revision + " without rollback; failed components stay as they are";
  }

  @Override
  public void validateAbort() {
    requirePaused("abort");
  }

  /** Rejects a decision that does not apply now, saying why (validators must not change state). */
  private void requirePaused(String what) {
    if (board == null) throw new IllegalStateException(what + " is not possible yet: the deploy has not started");
    if (board.phase() != Phase.PAUSED) {
      String hint = board.phase().isTerminal()
          ? "it has ended"
          : "it has not failed; to stop it use `dynamo deploy cancel " + board.graph() + "` (which rolls back)";
      throw new IllegalStateException(what + " applies only to a paused deploy, and deploy " + board.graph()
          + " is " + board.phase() + ": " + hint);
    }
    if (decision != null) {
      throw new IllegalStateException(what + " refused: deploy " + board.graph() + " already has a decision ("
          + decision.name().toLowerCase() + ")");
    }
  }

  // ---- rollback ---------------------------------------------------------------------------------------------

  private boolean rollbackFailed;

  /** The deploy was cancelled (`dynamo deploy cancel`): roll back, detached from the cancelled scope. */
  private CanceledFailure cancelled(CanceledFailure cause) {
    Workflow.newDetachedCancellationScope(
            () -> {
              settleRunningApplies();
              String outcome = rollBack("cancelled by request");
              end(Phase.CANCELLED, "cancelled by request; " + outcome);
            })
        .run();
    return cause;
  }

  private static boolean cancelRequested() {
    return CancellationScope.current().isCancelRequested();
  }

  /** A rollback that a cancel request arriving meanwhile does not interrupt. */
  private String rollBackDetached(String reason) {
    String[] outcome = new String[1];
    Workflow.newDetachedCancellationScope(() -> outcome[0] = rollBack(reason)).run();
    return outcome[0];
  }

  /** Rolls back what this revision touched; returns one phrase saying how it went. */
  private String rollBack(String reason) {
    if (touched.isEmpty()) return "nothing to roll back";
    enter(Phase.ROLLING_BACK, "rolling back: " + reason);
    for (String name : touched) board.component(name, ComponentPhase.ROLLING_BACK, now());
    refreshDetails();
    String summary =
        previousRevision > 0
            ? "roll back " + board.graph() + " to rev " + previousRevision
            : "remove " + board.graph() + " rev " + revision + " (first install)";
    try {
      String outcome =
          activities(ActivityPolicies.rollback(options.rollbackTimeout()), summary)
              .rollback(new RollbackRequest(revision, previousRevision, List.copyOf(touched), reason));
      for (String name : touched) board.component(name, ComponentPhase.ROLLED_BACK, now());
      return outcome == null || outcome.isEmpty()
          ? (previousRevision > 0 ? "rolled back to revision " + previousRevision : "removed revision " + revision)
          : outcome;
    } catch (ActivityFailure e) {
      rollbackFailed = true;
      log.warn("rollback of {} rev {} failed: {}", board.graph(), revision, reason(e));
      return "rollback failed too (" + reason(e) + "); clean up by hand or run the deploy again";
    }
  }

  // ---- phases, UI, results ----------------------------------------------------------------------------------

  private void enter(Phase phase, String message) {
    enter(phase, message, true);
  }

  private void enter(Phase phase, String message, boolean refresh) {
    boolean changed = board.phase() != phase;
    board.phase(phase, message, now());
    if (changed) upsertSearchAttributes();
    if (refresh) refreshDetails();
  }

  private void end(Phase phase, String message) {
    enter(phase, message);
  }

  private ApplicationFailure failed(Phase phase, String message) {
    end(phase, message);
    int live = rollbackFailed ? 0 : previousRevision;
    DeployResult result = new DeployResult(phase, live, message, board.snapshot());
    return ApplicationFailure.newNonRetryableFailure(message, DeployFailures.DEPLOY_FAILED, result);
  }

  /** Upserts phase and revision, only for keys the client set at start (the server has them registered). */
  private void upsertSearchAttributes() {
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
    if (searchKeys.contains(DeploySearchAttributes.PHASE)) {
      updates.add(DeploySearchAttributes.PHASE.valueSet(board.phase().name()));
    }
    if (searchKeys.contains(DeploySearchAttributes.REVISION) && board.revision() > 0) {
      updates.add(DeploySearchAttributes.REVISION.valueSet((long) board.revision()));
    }
    if (!updates.isEmpty()) Workflow.upsertTypedSearchAttributes(updates.toArray(SearchAttributeUpdate[]::new));
  }

  private void refreshDetails() {
    Workflow.setCurrentDetails(board.markdown());
  }

  private DeployActivities activities(ActivityOptions options, String summary) {
    return Workflow.newActivityStub(
        DeployActivities.class, ActivityOptions.newBuilder(options).setSummary(summary).build());
  }

  /** Missing options get their defaults: a null here would fail every workflow task, forever. */
  static DeployOptions withDefaults(DeployOptions given) {
    if (given == null) return DeployOptions.defaults("");
    return new DeployOptions(
        given.readinessTimeout() == null ? DeployOptions.DEFAULT_READINESS_TIMEOUT : given.readinessTimeout(),
        given.rollbackTimeout() == null ? DeployOptions.DEFAULT_ROLLBACK_TIMEOUT : given.rollbackTimeout(),
        given.startedBy() == null ? "" : given.startedBy(),
        given.onFailure() == null ? OnFailure.ROLLBACK : given.onFailure(),
        given.pauseTimeout() == null ? DeployOptions.DEFAULT_PAUSE_TIMEOUT : given.pauseTimeout(),
        given.restoresRevision());
  }

  private static long now() {
    return Workflow.currentTimeMillis();
  }

  /** The message the user needs from a failure chain: the innermost application message, else the timeout. */
  static String reason(Throwable error) {
    Throwable t = error;
    String timeout = null;
    while (t != null) {
      if (t instanceof ApplicationFailure af) return af.getOriginalMessage();
      if (t instanceof TimeoutFailure tf) {
        timeout = "timed out (" + tf.getTimeoutType().name().replace("TIMEOUT_TYPE_", "").toLowerCase() + ")";
      }
      if (t instanceof CanceledFailure) return "cancelled";
      t = t.getCause();
    }
    if (timeout != null) return timeout;
    return error instanceof TemporalFailure tf ? tf.getOriginalMessage() : String.valueOf(error.getMessage());
  }

  static boolean isTimeout(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof TimeoutFailure) return true;
      if (t instanceof ApplicationFailure af) return DeployFailures.READINESS_TIMEOUT.equals(af.getType());
    }
    return false;
  }
}

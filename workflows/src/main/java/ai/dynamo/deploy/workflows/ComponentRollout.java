package ai.dynamo.deploy.workflows;

import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * One component's way through its stages within a wave: apply, then await readiness, per stage (a multi-node
 * group's leader before its workers). A small state machine over activity promises, advanced by the
 * {@link WaveRunner} from the workflow thread whenever its current step completes (no workflow thread per
 * component: a 1,000-component wave would exhaust the worker's workflow threads).
 */
final class ComponentRollout {
  private final ComponentPlan plan;
  private final List<Stage> stages;
  private final int revision;
  private final Duration readinessTimeout;
  private final ProgressPublisher progress;
  private final Consumer<String> touched;
  /** The planned change (strategy, nodes to avoid), passed to the target with every step; null in older runs. */
  private final ComponentChange change;
  private int stageIndex = -1;
  private boolean awaiting;
  private boolean finished;
  private Promise<ReadyState> current;
  /** The scope of the running wait, cancelled when another component of the wave fails. */
  private CancellationScope waitScope;
  private long deadlineMillis;
  /** How many applies the workflow started with this one's first (0: not said). */
  private int together;

  /**
   * @param touched told the component's name when an apply starts: what a rollback must undo
   */
  ComponentRollout(
      ComponentPlan plan, int revision, Duration readinessTimeout, ProgressPublisher progress,
      Consumer<String> touched, ComponentChange change) {
    this.change = change;
    this.plan = plan;
    this.stages = plan.stages();
    this.revision = revision;
    this.readinessTimeout = readinessTimeout;
    this.progress = progress;
    this.touched = touched;
  }

  String name() {
    return plan.name();
  }

  /**
   * Starts the first stage's apply; the readiness timeout counts from now, for all stages.
   *
   * @param together how many applies the wave starts at this moment, this one included (0: not said)
   */
  void start(int together) {
    this.together = together;
    deadlineMillis = Workflow.currentTimeMillis() + readinessTimeout.toMillis();
    nextStage();
  }

  /** The current step completed and has not been handled yet. */
  boolean hasNews() {
    return !finished && current != null && current.isCompleted();
  }

  boolean done() {
    return finished;
  }

  /** Nothing of this component is in flight any more. */
  boolean settled() {
    return current == null || current.isCompleted();
  }

  /** Its first apply is done (it waits, or is further along). */
  boolean pastFirstApply() {
    return finished || stageIndex > 0 || awaiting;
  }

  /**
   * Its first apply succeeded (it waits, or is further along, or that apply ended well after the wave stopped
   * handling news because another component failed): for a component submitted held, the apply that released it.
   * Unlike {@link #pastFirstApply}, false when that apply failed.
   */
  boolean firstApplySucceeded() {
    if (stageIndex > 0 || awaiting) return true;
    return current != null && current.isCompleted() && current.getFailure() == null;
  }

  /** Stops a running wait (another component of the wave failed); applies are never stopped. */
  void cancelWait() {
    if (awaiting && !finished && !current.isCompleted()) waitScope.cancel();
  }

  /** Handles the completed step and starts the next one; returns the failure when the step failed. */
  StepFailed advance() {
    RuntimeException error = current.getFailure();
    if (error != null) {
      finished = true;
      String why = FailureReasons.reason(error);
      progress.component(plan.name(), ComponentPhase.FAILED, progress.component(plan.name()).ready(),
          plan.desired(), why);
      return new StepFailed(plan.name() + ": " + why, FailureReasons.isTimeout(error));
    }
    ReadyState state = current.get();
    if (!awaiting) {
      await(state);
      return null;
    }
    if (stageIndex + 1 < stages.size()) {
      progress.component(plan.name(), ComponentPhase.APPLYING, readySoFar(state.ready()), plan.desired(),
          state.message());
      nextStage();
      return null;
    }
    finished = true;
    progress.component(plan.name(), ComponentPhase.READY, readySoFar(state.ready()), plan.desired(),
        state.message());
    return null;
  }

  private Stage stage() {
    return stages.get(stageIndex);
  }

  private void nextStage() {
    stageIndex++;
    awaiting = false;
    touched.accept(plan.name());
    progress.component(plan.name(), ComponentPhase.APPLYING);
    String what =
        switch (stage()) {
          case ALL -> change != null && change.kind() == ChangeKind.UPDATE ? change.verb() + " " : "apply ";
          case LEADER -> "apply leader of ";
          case WORKERS -> "start workers of ";
        };
    DeployActivities applies = DeploySteps.apply(what + plan.name() + " (" + plan.summary() + ")");
    StepRequest first = StepRequest.apply(revision, plan.name(), stage(), change);
    StepRequest step = stageIndex == 0 && together > 0 ? first.startedWith(together) : first;
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
    progress.component(plan.name(), phase, readySoFar(0), plan.desired(), applied.message());
    Duration left = Duration.ofMillis(Math.max(1000, deadlineMillis - Workflow.currentTimeMillis()));
    String what = stage() == Stage.ALL ? "" : stage() == Stage.LEADER ? " leader" : " workers";
    String summary = "await " + plan.name() + what + " ready (" + plan.summary() + ")";
    DeployActivities waits =
        DeploySteps.awaitReady(left, TestServerWorkarounds.stoppedWaitCancellation(), summary);
    StepRequest step = new StepRequest(revision, plan.name(), stage(), left, change);
    waitScope = Workflow.newCancellationScope(() -> current = Async.function(waits::awaitReady, step));
    waitScope.run();
  }

  /** Ready units of the whole component, given the ready units of the current stage. */
  private int readySoFar(int readyInStage) {
    return stage() == Stage.WORKERS ? plan.desired(Stage.LEADER) + readyInStage : readyInStage;
  }
}

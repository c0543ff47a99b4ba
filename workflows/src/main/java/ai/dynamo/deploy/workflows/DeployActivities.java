package ai.dynamo.deploy.workflows;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The side effects of a deploy, as the workflow sees them. Implemented in the {@code activities} module, which
 * delegates to the deploy target of the request's kind.
 *
 * <p>Inputs are small: the IR is not passed to every activity (a 1,000-component graph would put it into the
 * history 2,000 times); each activity reads the {@link DeployRequest} from its workflow's start event and caches
 * it per run. Every method is idempotent: a retry after a lost response does no harm.
 *
 * <p>Failures: {@code ApplicationFailure} with a type from {@link DeployFailures}; non-retryable types fail fast.
 */
@ActivityInterface
public interface DeployActivities {

  /** Re-checks the IR and the target settings for the target kind. Fails with {@link DeployFailures#INVALID_IR}. */
  @ActivityMethod(name = "Validate")
  void validate();

  /** Renders (to prove the target's renderer accepts the graph) and returns the small plan. */
  @ActivityMethod(name = "Plan")
  DeployPlan plan();

  /** Checks the target before anything is applied and looks up the revision live there now. */
  @ActivityMethod(name = "Preflight")
  PreflightResult preflight();

  /**
   * Compares the request with the live revision per component (spec digests, health of the live copy) and decides
   * each changed component's strategy (auto probes the target's free capacity). Read-only.
   */
  @ActivityMethod(name = "PlanUpdate")
  UpdatePlan planUpdate();

  /** {@link #planUpdate} plus a unified diff of each changed component's rendered files ({@code deploy diff}). */
  @ActivityMethod(name = "Diff")
  DeployDiff diff();

  /** Applies (or, for a group's workers, starts) one stage of one component. Returns the desired units. */
  @ActivityMethod(name = "Apply")
  ReadyState apply(StepRequest step);

  /**
   * Waits until one stage of one component is ready, watching or polling inside and heartbeating
   * {@link ReadinessHeartbeat}; a retried attempt resumes from the last heartbeat. Fails with
   * {@link DeployFailures#COMPONENT_FAILED} or {@link DeployFailures#READINESS_TIMEOUT}.
   */
  @ActivityMethod(name = "AwaitReady")
  ReadyState awaitReady(StepRequest step);

  /** Records the revision on the target (the target's own history, readable without Temporal). */
  @ActivityMethod(name = "RecordRevision")
  void recordRevision(RevisionRecord record);

  /** Restores the previous revision, or removes everything a failed first install created. Idempotent. */
  @ActivityMethod(name = "Rollback")
  String rollback(RollbackRequest request);

  /**
   * Cancels the jobs of {@code request.components()} that the revision submitted held and that were never released
   * (an aborted paused deploy: they never ran anything and must not keep their nodes). Touches nothing that started.
   * Idempotent: a retry finds them ended and answers the same.
   */
  @ActivityMethod(name = "CancelHeld")
  HeldCancelled cancelHeld(CancelHeldRequest request);

  /**
   * Reads a graph's records from the target (history, live revision, and a recorded spec when asked); the input
   * names the target itself (this runs in {@link TargetRecordsWorkflow}, not in a deploy).
   */
  @ActivityMethod(name = "ReadRecords")
  TargetRecords readRecords(RecordsRequest request);
}

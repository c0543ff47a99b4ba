package ai.dynamo.deploy.workflows;

import io.temporal.activity.ActivityCancellationType;
import io.temporal.workflow.Workflow;

/**
 * Work-arounds for bugs of Temporal's Java test server (the embedded default and {@code dynamo server}), kept apart
 * from the deploy's own logic and each behind a {@code Workflow.getVersion} change id. A real Temporal server needs
 * none of them; each says what it costs there.
 */
final class TestServerWorkarounds {
  private TestServerWorkarounds() {}

  /**
   * Change id: waits stopped because another component of their wave failed are abandoned rather than sent a cancel
   * request. The test server hangs a workflow that requests cancellation of an activity in the same workflow task in
   * which that activity completes (temporalio/sdk-java#2391), and a wave's other waits can complete at that moment.
   * An abandoned wait ends by itself: its target is rolled back under it, and once the deploy closes its next
   * heartbeat fails. On a real server the cost is that wait running a little longer.
   */
  static final String ABANDON_STOPPED_WAITS = "abandon-stopped-waits";

  /**
   * How a stopped readiness wait is stopped: {@code ABANDON} from {@link #ABANDON_STOPPED_WAITS} on; histories
   * recorded before it replay with {@code TRY_CANCEL}. Consulted where each wait is scheduled.
   */
  static ActivityCancellationType stoppedWaitCancellation() {
    return Workflow.getVersion(ABANDON_STOPPED_WAITS, Workflow.DEFAULT_VERSION, 1) == 1
        ? ActivityCancellationType.ABANDON
        : ActivityCancellationType.TRY_CANCEL;
  }
}

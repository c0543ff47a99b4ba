package ai.dynamo.deploy.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.api.enums.v1.RetryState;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TimeoutFailure;
import org.junit.jupiter.api.Test;

class FailureReasonsTest {
  private static ActivityFailure activity(Throwable cause) {
    return new ActivityFailure("activity failed", 1, 2, "AwaitReady", "id", RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE,
        "worker", cause);
  }

  @Test
  void theTargetsMessageIsWhatTheUserReads() {
    ApplicationFailure target = ApplicationFailure.newNonRetryableFailure("pod x-0: CrashLoopBackOff",
        DeployFailures.COMPONENT_FAILED);
    assertEquals("pod x-0: CrashLoopBackOff", FailureReasons.reason(activity(target)));
    assertFalse(FailureReasons.isTimeout(activity(target)));
  }

  @Test
  void timeoutsAreNamedAndCountAsTimeouts() {
    TimeoutFailure timeout = new TimeoutFailure("timed out", null, TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
    assertEquals("timed out (heartbeat)", FailureReasons.reason(activity(timeout)));
    assertTrue(FailureReasons.isTimeout(activity(timeout)));
    ApplicationFailure readiness = ApplicationFailure.newNonRetryableFailure("x not ready after 90m",
        DeployFailures.READINESS_TIMEOUT);
    assertTrue(FailureReasons.isTimeout(activity(readiness)));
  }

  @Test
  void aCancelledStepSaysCancelled() {
    assertEquals("cancelled", FailureReasons.reason(activity(new CanceledFailure("stop"))));
  }
}

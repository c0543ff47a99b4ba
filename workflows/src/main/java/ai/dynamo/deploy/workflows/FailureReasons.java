package ai.dynamo.deploy.workflows;

import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;

/** What a user needs to read from an activity's failure chain. */
final class FailureReasons {
  private FailureReasons() {}

  /** The innermost application message, else the timeout, else the failure's own message. */
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

  /** Whether the failure is a timeout: Temporal's own, or a target's {@link DeployFailures#READINESS_TIMEOUT}. */
  static boolean isTimeout(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof TimeoutFailure) return true;
      if (t instanceof ApplicationFailure af) return DeployFailures.READINESS_TIMEOUT.equals(af.getType());
    }
    return false;
  }
}

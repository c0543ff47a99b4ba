package ai.dynamo.deploy.workflows;

import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * Timeouts and retry policies of each activity, in one place. Transient errors (network, API 5xx, a dropped SSH
 * connection) retry with exponential backoff; the types in {@link DeployFailures#NON_RETRYABLE} never retry.
 */
public final class ActivityPolicies {
  private ActivityPolicies() {}

  /**
   * A wait that has not heartbeated for this long is presumed dead and retried (on any worker). The SDK sends
   * heartbeats at most every 80% of this, which is also how stale live counts can be.
   */
  public static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(20);

  /** Slack on top of the readiness timeout before the server gives up on a wait (the activity fails first). */
  static final Duration READINESS_SLACK = Duration.ofMinutes(2);

  static RetryOptions transientRetry(Duration maxInterval) {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofSeconds(1))
        .setBackoffCoefficient(2.0)
        .setMaximumInterval(maxInterval)
        .setDoNotRetry(DeployFailures.NON_RETRYABLE.toArray(String[]::new))
        .build();
  }

  /** validate and plan: pure work on the worker, seconds at most. */
  public static ActivityOptions quick() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setScheduleToCloseTimeout(Duration.ofMinutes(10))
        .setRetryOptions(transientRetry(Duration.ofSeconds(30)))
        .build();
  }

  /** preflight: a few calls to the target. */
  public static ActivityOptions preflight() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(5))
        .setScheduleToCloseTimeout(Duration.ofMinutes(15))
        .setRetryOptions(transientRetry(Duration.ofSeconds(30)))
        .build();
  }

  /**
   * apply: short calls, run as a local activity: one marker event instead of three activity events plus the
   * workflow task its completion would trigger (the history budget); longer retries become timers. Started in a
   * detached scope and always waited for, so a rollback never races an apply still in flight.
   */
  public static LocalActivityOptions apply() {
    return LocalActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(5))
        .setScheduleToCloseTimeout(Duration.ofMinutes(30))
        .setRetryOptions(transientRetry(Duration.ofMinutes(1)))
        .build();
  }

  /**
   * A readiness wait: one long heartbeating activity. The activity enforces {@code timeout} itself (with the last
   * message from the target); the server-side schedule-to-close is a backstop a little later.
   */
  public static ActivityOptions awaitReady(Duration timeout) {
    Duration limit = timeout.plus(READINESS_SLACK);
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(limit)
        .setScheduleToCloseTimeout(limit)
        .setHeartbeatTimeout(HEARTBEAT_TIMEOUT)
        .setRetryOptions(transientRetry(Duration.ofMinutes(1)))
        .build();
  }

  /** record the revision: a small write to the target. */
  public static ActivityOptions record() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setScheduleToCloseTimeout(Duration.ofMinutes(15))
        .setRetryOptions(transientRetry(Duration.ofSeconds(30)))
        .build();
  }

  /**
   * uninstall: cancel jobs or delete objects and wait until they are gone (heartbeating), retried within a budget
   * like a rollback's.
   */
  public static ActivityOptions uninstall() {
    return rollback(DeployOptions.DEFAULT_ROLLBACK_TIMEOUT);
  }

  /**
   * cancel held jobs (an aborted paused deploy): scancel, a wait for the jobs to end (heartbeating) and SIGKILL after a
   * grace, so a few minutes per attempt, retried within a bound.
   */
  public static ActivityOptions cancelHeld() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(3))
        .setScheduleToCloseTimeout(Duration.ofMinutes(10))
        .setHeartbeatTimeout(HEARTBEAT_TIMEOUT)
        .setRetryOptions(transientRetry(Duration.ofSeconds(30)))
        .build();
  }

  /** rollback: its own time budget ({@link DeployOptions#rollbackTimeout}), retried within it. */
  public static ActivityOptions rollback(Duration budget) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(budget)
        .setScheduleToCloseTimeout(budget)
        .setHeartbeatTimeout(HEARTBEAT_TIMEOUT)
        .setRetryOptions(transientRetry(Duration.ofSeconds(30)))
        .build();
  }
}

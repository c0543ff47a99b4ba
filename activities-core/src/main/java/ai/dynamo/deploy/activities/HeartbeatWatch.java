package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.workflows.Durations;
import ai.dynamo.deploy.workflows.ReadinessHeartbeat;
import ai.dynamo.deploy.workflows.Stage;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A {@link ReadinessWatch} over Temporal heartbeats: every report is a heartbeat with {@link ReadinessHeartbeat}
 * details, the start of the first attempt survives retries, and the timeout is enforced here so the failure
 * carries the last message from the target.
 */
final class HeartbeatWatch implements ReadinessWatch {
  /** Longest sleep between heartbeats while pausing; well under the heartbeat timeout. */
  static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(5);

  private final ActivityExecutionContext activity;
  private final Clock clock;
  private final String component;
  private final Stage stage;
  private final Duration timeout;
  private final Optional<ReadinessHeartbeat> resumedFrom;
  private ReadinessHeartbeat last;

  HeartbeatWatch(
      ActivityExecutionContext activity, Clock clock, String component, Stage stage, int desired, Duration timeout) {
    this.activity = activity;
    this.clock = clock;
    this.component = component;
    this.stage = stage;
    this.timeout = timeout;
    this.resumedFrom = activity.getHeartbeatDetails(ReadinessHeartbeat.class);
    long started = resumedFrom.map(ReadinessHeartbeat::startedEpochMillis).orElse(clock.millis());
    this.last =
        resumedFrom.orElse(new ReadinessHeartbeat(component, stage, 0, desired, "", started, ""));
  }

  @Override
  public Optional<ReadinessHeartbeat> resumedFrom() {
    return resumedFrom;
  }

  @Override
  public void report(int ready, int desired, String message, String resumeToken) {
    last =
        new ReadinessHeartbeat(
            component,
            stage,
            ready,
            desired,
            message == null ? "" : message,
            last.startedEpochMillis(),
            resumeToken == null ? "" : resumeToken);
    activity.heartbeat(last);
    checkDeadline();
  }

  @Override
  public void pause(Duration duration) {
    long until = clock.millis() + duration.toMillis();
    while (true) {
      long left = until - clock.millis();
      if (left <= 0) return;
      try {
        Thread.sleep(Math.min(left, HEARTBEAT_EVERY.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw TargetFailure.transientFailure("interrupted while waiting for " + component + " (worker stopping)", e);
      }
      activity.heartbeat(last);
      checkDeadline();
    }
  }

  private void checkDeadline() {
    if (timeout == null) return;
    long elapsed = clock.millis() - last.startedEpochMillis();
    if (elapsed > timeout.toMillis()) {
      String where = stage == Stage.ALL ? component : component + " " + stage.name().toLowerCase();
      String said = last.message().isEmpty() ? "" : "; last: " + last.message();
      throw TargetFailure.readinessTimeout(
          where + " not ready after " + Durations.asTyped(timeout) + " (" + last.ready() + "/" + last.desired() + " ready"
              + said + ")");
    }
  }
}

package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.workflows.ReadinessHeartbeat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A {@link ReadinessWatch} for tests: records every report and fails with a readiness timeout after a wall-clock
 * budget (a safety net so a broken rule cannot hang the build; no test asserts on timing).
 */
final class RecordingWatch implements ReadinessWatch {
  record Report(int ready, int desired, String message) {}

  private final List<Report> reports = Collections.synchronizedList(new ArrayList<>());
  private final long deadline;

  RecordingWatch(Duration budget) {
    this.deadline = System.currentTimeMillis() + budget.toMillis();
  }

  RecordingWatch() {
    this(Duration.ofSeconds(30));
  }

  @Override
  public Optional<ReadinessHeartbeat> resumedFrom() {
    return Optional.empty();
  }

  @Override
  public void report(int ready, int desired, String message, String resumeToken) {
    reports.add(new Report(ready, desired, message));
    if (System.currentTimeMillis() > deadline) {
      throw TargetFailure.readinessTimeout("test budget over; last: " + message);
    }
  }

  @Override
  public void pause(Duration duration) {
    try {
      Thread.sleep(Math.min(duration.toMillis(), 50));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  List<Report> reports() {
    synchronized (reports) {
      return List.copyOf(reports);
    }
  }

  Report last() {
    List<Report> all = reports();
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }
}

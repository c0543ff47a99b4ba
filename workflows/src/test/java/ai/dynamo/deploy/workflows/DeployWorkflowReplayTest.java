package ai.dynamo.deploy.workflows;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.WorkflowExecutionHistory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays recorded deploy histories against the current {@link DeployWorkflowImpl}: a change that would break
 * deploys already running (non-determinism) fails here. Histories are recorded by {@link RecordHistories} (this
 * module); a deliberate change to the workflow's commands must use {@code Workflow.getVersion}.
 */
class DeployWorkflowReplayTest {
  static final Path DIR = Path.of("src", "test", "resources", "histories");

  private static ReplayFixture replay;

  @BeforeAll
  static void replayWorker() {
    replay = new ReplayFixture(DeployWorkflowImpl.class);
  }

  @AfterAll
  static void close() {
    replay.close();
  }

  static List<Path> histories() throws IOException {
    List<Path> found = ReplayFixture.recorded(DIR);
    assertTrue(found.size() >= 5, "recorded histories missing in " + DIR.toAbsolutePath());
    // The paths of --on-failure pause (each decision, and the timeout), recorded on their own.
    // ... and pause-retry-place, whose paused message names the place (pause-message-names-place).
    for (String pause : List.of("pause-retry", "pause-rollback", "pause-timeout", "pause-abort",
        "pause-retry-place")) {
      assertTrue(found.contains(DIR.resolve(pause + ".json")), pause + ".json missing in " + DIR.toAbsolutePath());
    }
    // Per-component updates: nothing to do, a partial update with a removal, a recreate rolled back.
    for (String update : List.of("update-unchanged", "update-partial", "update-recreate-rollback")) {
      assertTrue(found.contains(DIR.resolve(update + ".json")), update + ".json missing in " + DIR.toAbsolutePath());
    }
    // Held starts: a first install that holds the second wave, and one rolled back with the held components.
    for (String held : List.of("held-start", "held-start-rollback")) {
      assertTrue(found.contains(DIR.resolve(held + ".json")), held + ".json missing in " + DIR.toAbsolutePath());
    }
    // An abort that cancels the held jobs of the wave that never came (abort-cancels-held).
    assertTrue(found.contains(DIR.resolve(ABORT_HELD + ".json")), ABORT_HELD + ".json missing in "
        + DIR.toAbsolutePath());
    return found;
  }

  private static final String ABORT_HELD = "pause-abort-held";
  /** Recorded with abort-cancels-held version 2: the held front end's releasing apply failed. */
  private static final String ABORT_HELD_FAILED_RELEASE = "pause-abort-held-failed-release";

  /** The abort histories are of the paths they are named after: their replays run the CancelHeld step. */
  @ParameterizedTest
  @ValueSource(strings = {ABORT_HELD, ABORT_HELD_FAILED_RELEASE})
  void theAbortWithHeldJobsHistoriesCancelThem(String name) throws Exception {
    WorkflowExecutionHistory history =
        WorkflowExecutionHistory.fromJson(Files.readString(DIR.resolve(name + ".json")));
    List<String> activities = history.getEvents().stream().filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
        .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName()).toList();
    assertTrue(activities.contains("CancelHeld"), activities.toString());
    assertTrue(history.getEvents().stream().anyMatch(HistoryEvent::hasWorkflowExecutionUpdateCompletedEventAttributes),
        "aborted by the abort Update");
  }

  @ParameterizedTest
  @MethodSource("histories")
  void replaysWithoutNonDeterminism(Path history) throws Exception {
    replay.replay(history);
  }
}

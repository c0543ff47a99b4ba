package ai.dynamo.deploy.workflows;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays recorded deploy histories against the current {@link DeployWorkflowImpl}: a change that would break
 * deploys already running (non-determinism) fails here. Histories are recorded by {@link RecordHistories} (this
 * module); a deliberate change to the workflow's commands must use {@code Workflow.getVersion}.
 */
class DeployWorkflowReplayTest {
  static final Path DIR = Path.of("src", "test", "resources", "histories");

  private static TestWorkflowEnvironment env;
  private static Worker worker;

  @BeforeAll
  static void replayWorker() {
    env = TestWorkflowEnvironment.newInstance();
    // The first replay in a cold JVM loads classes on the workflow thread; on a busy 2-core CI machine that can
    // pass the default 1 s deadlock detector, which is about timing, not determinism.
    worker = env.newWorker("replay", WorkerOptions.newBuilder().setDefaultDeadlockDetectionTimeout(30_000).build());
    worker.registerWorkflowImplementationTypes(DeployWorkflowImpl.class);
  }

  @AfterAll
  static void close() {
    env.close();
  }

  static List<Path> histories() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      List<Path> found = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
      assertTrue(found.size() >= 5, "recorded histories missing in " + DIR.toAbsolutePath());
      // The paths of --on-failure pause (each decision, and the timeout), recorded on their own.
      for (String pause : List.of("pause-retry", "pause-rollback", "pause-timeout", "pause-abort")) {
        assertTrue(found.contains(DIR.resolve(pause + ".json")), pause + ".json missing in " + DIR.toAbsolutePath());
      }
      // Per-component updates: nothing to do, a partial update with a removal, a recreate rolled back.
      for (String update : List.of("update-unchanged", "update-partial", "update-recreate-rollback")) {
        assertTrue(found.contains(DIR.resolve(update + ".json")), update + ".json missing in " + DIR.toAbsolutePath());
      }
      return found;
    }
  }

  @ParameterizedTest
  @MethodSource("histories")
  void replaysWithoutNonDeterminism(Path history) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(WorkflowExecutionHistory.fromJson(Files.readString(history)), worker);
  }
}

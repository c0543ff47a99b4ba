package ai.dynamo.deploy.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * Replays the recorded uninstall histories ({@code histories/uninstall/}, recorded by
 * {@link RecordUninstallHistories}) against the current {@link UninstallWorkflowImpl}, as
 * {@link DeployWorkflowReplayTest} does for deploys.
 */
class UninstallWorkflowReplayTest {
  static final Path DIR = DeployWorkflowReplayTest.DIR.resolve("uninstall");

  private static TestWorkflowEnvironment env;
  private static Worker worker;

  @BeforeAll
  static void replayWorker() {
    env = TestWorkflowEnvironment.newInstance();
    worker = env.newWorker("replay", WorkerOptions.newBuilder().setDefaultDeadlockDetectionTimeout(30_000).build());
    worker.registerWorkflowImplementationTypes(UninstallWorkflowImpl.class);
  }

  @AfterAll
  static void close() {
    env.close();
  }

  static List<Path> histories() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      List<Path> found = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
      assertEquals(List.of("cancelled.json", "failed.json", "uninstalled.json"),
          found.stream().map(p -> p.getFileName().toString()).toList(), "recorded uninstall histories in " + DIR);
      return found;
    }
  }

  @ParameterizedTest
  @MethodSource("histories")
  void replaysWithoutNonDeterminism(Path history) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(WorkflowExecutionHistory.fromJson(Files.readString(history)), worker);
  }
}

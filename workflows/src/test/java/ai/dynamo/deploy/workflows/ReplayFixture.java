package ai.dynamo.deploy.workflows;

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

/**
 * What the replay tests share: a worker that only replays one workflow type, and the histories recorded in a
 * directory.
 */
final class ReplayFixture implements AutoCloseable {
  private final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
  private final Worker worker;

  ReplayFixture(Class<?> workflowImpl) {
    // The first replay in a cold JVM loads classes on the workflow thread; on a busy 2-core CI machine that can
    // pass the default 1 s deadlock detector, which is about timing, not determinism.
    worker = env.newWorker("replay", WorkerOptions.newBuilder().setDefaultDeadlockDetectionTimeout(30_000).build());
    worker.registerWorkflowImplementationTypes(workflowImpl);
  }

  /** The recorded histories ({@code *.json}) of {@code dir}, sorted. */
  static List<Path> recorded(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  /** Replays {@code history}; throws when the current workflow code would not make the same commands. */
  void replay(Path history) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(WorkflowExecutionHistory.fromJson(Files.readString(history)), worker);
  }

  @Override
  public void close() {
    env.close();
  }
}

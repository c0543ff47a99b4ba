package ai.dynamo.deploy.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Records the histories {@link UninstallWorkflowReplayTest} replays, one per way an uninstall ends, with the
 * activity scripted. Runs only when asked (the files are committed):
 *
 * <pre>
 * DYNAMO_RECORD_HISTORIES=1 mvn -o -B -q -pl workflows -am test -Dtest=RecordUninstallHistories \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Timeout(120)
class RecordUninstallHistories {
  private interface Run {
    WorkflowStub start(TestWorkflowEnvironment env, WorkflowOptions options) throws Exception;
  }

  private static void record(String name, UninstallWorkflowTest.ScriptedUninstall script, Run run, Phase expected)
      throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("record");
      worker.registerWorkflowImplementationTypes(UninstallWorkflowImpl.class);
      worker.registerActivitiesImplementations(script);
      env.start();
      WorkflowStub stub = run.start(env, WorkflowOptions.newBuilder().setTaskQueue("record").build());
      assertEquals(expected, WorkflowRuns.await(stub).phase());
      script.release.countDown();
      String json = env.getWorkflowClient()
          .fetchHistory(stub.getExecution().getWorkflowId(), stub.getExecution().getRunId()).toJson(true);
      Path dir = UninstallWorkflowReplayTest.DIR;
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name + ".json"), json);
    }
  }

  @Test
  void recordEveryEnding() throws Exception {
    Assumptions.assumeTrue("1".equals(System.getenv("DYNAMO_RECORD_HISTORIES")), "set DYNAMO_RECORD_HISTORIES=1");
    UninstallRequest request = new UninstallRequest("g", UninstallWorkflowTest.LAB, false, "op@ws");
    record("uninstalled", new UninstallWorkflowTest.ScriptedUninstall(),
        (env, o) -> UninstallWorkflowTest.startUninstall(env.getWorkflowClient(), o, request), Phase.UNINSTALLED);
    UninstallWorkflowTest.ScriptedUninstall refusing = new UninstallWorkflowTest.ScriptedUninstall();
    refusing.refusal = "forbidden (403)";
    record("failed", refusing,
        (env, o) -> UninstallWorkflowTest.startUninstall(env.getWorkflowClient(), o, request), Phase.FAILED);
    UninstallWorkflowTest.ScriptedUninstall blocking = new UninstallWorkflowTest.ScriptedUninstall();
    blocking.blocks = true;
    record("cancelled", blocking, (env, o) -> {
      WorkflowStub stub = UninstallWorkflowTest.startUninstall(env.getWorkflowClient(), o, request);
      WorkflowRuns.awaitPhase(stub, Phase.UNINSTALLING);
      stub.cancel();
      return stub;
    }, Phase.CANCELLED);
  }
}

package ai.dynamo.deploy.activities;

import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.testing.fake.FakeTarget;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.DeployWorkflowImpl;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.client.DeployOutcomes;
import ai.dynamo.deploy.workflows.client.DeployStarter;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A worker dies during a readiness wait; a new worker on the same queue resumes the wait from its heartbeat. */
@Timeout(120)
class WorkerRestartTest {

  /**
   * The activity side of a worker process. (Workflow tasks are served by a separate worker that stays up: the Java
   * test server loses a workflow task handed to the long poll of a worker that shut down, which a real server does
   * not; the wait being resumed is an activity, and that is what this test is about.)
   */
  private static WorkerFactory activityWorker(TestWorkflowEnvironment env, FakeTarget fake) {
    WorkerFactory factory = WorkerFactory.newInstance(env.getWorkflowClient());
    var worker = factory.newWorker(DeployIds.TASK_QUEUE);
    worker.registerActivitiesImplementations(new DeployActivitiesImpl(new DeployTargets().register(fake)));
    factory.start();
    return factory;
  }

  @Test
  void newWorkerResumesTheHeartbeatingWait(@TempDir Path state) throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      // Two FakeTarget instances over one state directory: like two worker processes on one machine.
      // Applies are local activities: they run where the workflow runs.
      var workflows =
          env.newWorker(DeployIds.TASK_QUEUE, WorkerOptions.newBuilder().setLocalActivityWorkerOnly(true).build());
      workflows.registerWorkflowImplementationTypes(DeployWorkflowImpl.class);
      workflows.registerActivitiesImplementations(
          new DeployActivitiesImpl(new DeployTargets().register(new FakeTarget(state))));
      env.start();
      FakeTarget firstTarget = new FakeTarget(state);
      WorkerFactory first = activityWorker(env, firstTarget);
      Graph graph = new Graph("1.0", "restart-graph", List.of(Graphs.service("engine", "dyn://m.backend.generate", 1)));
      var request = Graphs.request(graph, Map.of("fake.readyAfterSeconds", "4", "fake.pollMillis", "100"));
      DeployStarter.Started started = DeployStarter.startOrAttach(env.getWorkflowClient(), request);
      WorkflowStub stub =
          env.getWorkflowClient()
              .newUntypedWorkflowStub(started.workflowId(), Optional.of(started.runId()), Optional.empty());

      Harness.eventually(Duration.ofSeconds(30), () -> firstTarget.calls().contains("await engine ALL"));
      // As on SIGTERM: the wait's next heartbeat fails the attempt, handing it back to the service.
      first.shutdown();
      first.awaitTermination(30, TimeUnit.SECONDS);
      assertFalse(firstTarget.calls().contains("ready engine ALL"), "the first worker must not have finished");

      FakeTarget secondTarget = new FakeTarget(state);
      WorkerFactory second = activityWorker(env, secondTarget);
      try {
        DeployResult result = DeployOutcomes.await(stub);
        assertEquals(Phase.READY, result.phase());
        String resumed =
            secondTarget.calls().stream().filter(c -> c.startsWith("resume engine ALL")).findFirst().orElse(null);
        assertNotNull(resumed, "the second worker resumed from the heartbeat: " + secondTarget.calls());
        assertTrue(resumed.contains("token=applied@"), resumed);
        assertFalse(secondTarget.calls().contains("apply engine ALL"), "not applied again: " + secondTarget.calls());
        assertFalse(firstTarget.calls().contains("apply engine ALL"), "applies run on the workflow worker");
        assertEquals(1, secondTarget.liveRevision("lab", "restart-graph"));
      } finally {
        second.shutdownNow();
      }
    }
  }
}

package ai.dynamo.deploy.client;

import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.TestGraphs;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.Eventually;
import ai.dynamo.deploy.testing.fake.FakeDeploys;
import ai.dynamo.deploy.testing.fake.FakeTarget;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.worker.WorkerFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A worker dies during a readiness wait; a new worker on the same queue resumes the wait from its heartbeat. */
@Timeout(120)
class WorkerRestartTest {

  @Test
  void newWorkerResumesTheHeartbeatingWait(@TempDir Path state) throws Exception {
    // Workflow tasks (and the applies, local activities) are served by a worker that stays up: the Java test server
    // loses a workflow task handed to the long poll of a worker that shut down, which a real server does not; the
    // wait being resumed is an activity, and that is what this test is about. Two FakeTarget instances over one
    // state directory: like two worker processes on one machine.
    try (DeployEnvironment env = DeployEnvironment.workflowWorkerOnly(new FakeTarget(state))) {
      FakeTarget firstTarget = new FakeTarget(state);
      WorkerFactory first = env.startActivityWorker(firstTarget);
      Graph graph = new Graph("1.0", "restart-graph", List.of(TestGraphs.service("engine", "dyn://m.backend.generate", 1)));
      var request = FakeDeploys.request(graph, Map.of("fake.readyAfterSeconds", "4", "fake.pollMillis", "100"));
      WorkflowStub stub = Deploys.start(env.client(), request);

      Eventually.within(Duration.ofSeconds(30), () -> firstTarget.calls().contains("await engine ALL"));
      // The SDK sends heartbeats asynchronously (and throttles them): the wait has started, but the service may not
      // have its progress yet. Only once it has can a new attempt resume from it.
      Eventually.within(Duration.ofSeconds(30), () -> heartbeatRecorded(env.client(), stub));
      // As on SIGTERM: the wait's next heartbeat fails the attempt, handing it back to the service.
      first.shutdown();
      first.awaitTermination(30, TimeUnit.SECONDS);
      assertFalse(firstTarget.calls().contains("ready engine ALL"), "the first worker must not have finished");

      FakeTarget secondTarget = new FakeTarget(state);
      WorkerFactory second = env.startActivityWorker(secondTarget);
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

  /** Whether the service holds heartbeat details of a pending activity of the run (DescribeWorkflowExecution). */
  private static boolean heartbeatRecorded(WorkflowClient client, WorkflowStub stub) {
    DescribeWorkflowExecutionResponse described = client.getWorkflowServiceStubs().blockingStub()
        .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
            .setNamespace(client.getOptions().getNamespace()).setExecution(stub.getExecution()).build());
    return described.getPendingActivitiesList().stream().anyMatch(PendingActivityInfo::hasHeartbeatDetails);
  }
}

package ai.dynamo.deploy.activities;

import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.fake.FakeTarget;
import ai.dynamo.deploy.workflows.ComponentPhase;
import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.DeployWorkflow;
import ai.dynamo.deploy.workflows.DeployWorkflowImpl;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class DeployWorkflowTest {
  private TestWorkflowEnvironment env;
  private FakeTarget fake;
  private WorkflowClient client;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    fake = new FakeTarget();
    Worker worker = env.newWorker(DeployIds.TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(DeployWorkflowImpl.class);
    worker.registerActivitiesImplementations(new DeployActivitiesImpl(new DeployTargets().register(fake)));
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private DeployWorkflow stub(DeployRequest request) {
    return client.newWorkflowStub(
        DeployWorkflow.class,
        WorkflowOptions.newBuilder()
            .setTaskQueue(DeployIds.TASK_QUEUE)
            .setWorkflowId(DeployIds.workflowId("fake", "lab", request.graph().name()))
            .build());
  }

  @Test
  void happyPathDeploysEveryComponentAndRecordsRevisionOne() {
    DeployRequest request = Graphs.request(Graphs.sample(), Map.of());
    DeployResult result = stub(request).deploy(request);

    assertEquals(Phase.READY, result.phase());
    assertEquals(1, result.revision());
    assertEquals(1, fake.liveRevision("lab", "dynamo-graph"));
    for (ComponentProgress c : result.progress().components()) {
      assertEquals(ComponentPhase.READY, c.phase(), c.name());
      assertEquals(c.desired(), c.ready(), c.name());
    }
    assertTrue(fake.calls().contains("record dynamo-graph rev 1"), fake.calls().toString());
  }
}

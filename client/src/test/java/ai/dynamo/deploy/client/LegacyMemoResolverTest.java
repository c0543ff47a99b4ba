package ai.dynamo.deploy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.TestGraphs;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.fake.FakeDeploys;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import ai.dynamo.deploy.workflows.DeployWorkflow;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A deploy started before memos kept every setting (its memo: target, location and the reach settings only) is still
 * found by name with every setting it was started with: the resolver reads them from the run's start event.
 */
@Timeout(120)
class LegacyMemoResolverTest {
  @RegisterExtension final DeployEnvironment env = DeployEnvironment.withFakeTarget().withSearchAttributes();

  @Test
  void aRunWithAReachOnlyMemoGetsItsOtherSettingsFromItsStartEvent() {
    DeployRequest request = FakeDeploys.request(TestGraphs.small(), Map.of("location", "lab", "fake.pollMillis", "150"));
    String workflowId = DeployStarter.workflowId(request);
    // as the client before this change started it: no settingsKept, the reach settings only
    WorkflowOptions options = DeployStarter.options(workflowId, "deploy", request.graph().name(), request.target(),
        request.specDigest(), Phase.VALIDATING, DeploySearchAttributes.NAMES)
        .setMemo(Map.of(DeploySearchAttributes.MEMO_SPEC_DIGEST, request.specDigest(), DeployMemo.TARGET, "fake",
            DeployMemo.LOCATION, "lab", DeployMemo.SETTINGS, Map.of("location", "lab")))
        .build();
    DeployWorkflow workflow = env.client().newWorkflowStub(DeployWorkflow.class, options);
    WorkflowClient.start(workflow::deploy, request);
    DeployOutcomes.await(env.client().newUntypedWorkflowStub(workflowId));

    DeployResolver.Resolution found = new DeployResolver(env.client()).resolve(
        new DeployResolver.Query(request.graph().name(), null, null, Map.of("fake.readyAfterSeconds", "0")));
    assertEquals(workflowId, found.workflowId());
    assertEquals(Map.of("location", "lab", "fake.pollMillis", "150", "fake.readyAfterSeconds", "0"),
        found.target().settings());
    assertTrue(found.origin().complete(), "recovered from the start event");
    assertEquals(Map.of("location", "lab", "fake.pollMillis", "150"), found.origin().reused());

    DeployResolver.Resolution byId = new DeployResolver(env.client()).resolve(
        new DeployResolver.Query(workflowId, null, null, Map.of()));
    assertEquals(Map.of("location", "lab", "fake.pollMillis", "150"), byId.target().settings());
  }
}

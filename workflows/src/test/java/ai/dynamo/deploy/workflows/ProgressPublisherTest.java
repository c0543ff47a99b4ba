package ai.dynamo.deploy.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.TestGraphs;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ProgressPublisher} on its own: search attributes upserted on phase changes only, and the UI details. */
class ProgressPublisherTest {
  @WorkflowInterface
  public interface Probe {
    @WorkflowMethod
    DeployProgress run(DeployRequest request);
  }

  public static class ProbeImpl implements Probe {
    @Override
    public DeployProgress run(DeployRequest request) {
      ProgressPublisher progress = ProgressPublisher.start(request);
      progress.enter(Phase.VALIDATING, "checking");
      progress.enter(Phase.VALIDATING, "still checking"); // same phase: no upsert
      progress.revision(4);
      progress.component("vllm_worker", ComponentPhase.WAITING, 1, 2, "1/2 ready");
      progress.enter(Phase.APPLYING, "applying");
      Workflow.sleep(Duration.ofSeconds(1)); // details are read while the run is open
      return progress.snapshot();
    }
  }

  @RegisterExtension
  final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
      .registerWorkflowImplementationTypes(ProbeImpl.class)
      .registerSearchAttribute("DynamoPhase", SearchAttributeKey.forKeyword("DynamoPhase").getValueType())
      .registerSearchAttribute("DynamoRevision", SearchAttributeKey.forLong("DynamoRevision").getValueType())
      .build();

  private static long upserts(TestWorkflowEnvironment env, WorkflowStub stub) {
    List<HistoryEvent> events = env.getWorkflowClient().fetchHistory(stub.getExecution().getWorkflowId()).getEvents();
    return events.stream().filter(HistoryEvent::hasUpsertWorkflowSearchAttributesEventAttributes).count();
  }

  @Test
  void phaseChangesAreUpsertedForTheKeysTheRunCarries(TestWorkflowEnvironment env, WorkflowOptions options) {
    WorkflowOptions withKeys = WorkflowOptions.newBuilder(options).setTypedSearchAttributes(SearchAttributes
        .newBuilder().set(DeploySearchAttributes.PHASE, "VALIDATING").set(DeploySearchAttributes.REVISION, 0L)
        .build()).build();
    Probe probe = env.getWorkflowClient().newWorkflowStub(Probe.class, withKeys);
    DeployProgress progress = WorkflowClient.execute(probe::run, WorkflowRuns.request(TestGraphs.small())).join();
    WorkflowStub stub = WorkflowStub.fromTyped(probe);

    assertEquals(Phase.APPLYING, progress.phase());
    // The board starts VALIDATING, as the client set it at start: only the change to APPLYING is upserted.
    assertEquals(1, upserts(env, stub), "one upsert per phase change, none for a repeated phase");
    assertEquals("APPLYING", stub.describe().getTypedSearchAttributes().get(DeploySearchAttributes.PHASE));
    assertEquals(4L, stub.describe().getTypedSearchAttributes().get(DeploySearchAttributes.REVISION));
  }

  @Test
  void withoutKeysNothingIsUpsertedAndTheDetailsShowTheTable(TestWorkflowEnvironment env, WorkflowOptions options) {
    Probe probe = env.getWorkflowClient().newWorkflowStub(Probe.class, options);
    WorkflowClient.start(probe::run, WorkflowRuns.request(TestGraphs.small()));
    WorkflowStub stub = WorkflowStub.fromTyped(probe);
    String details = stub.query("__temporal_workflow_metadata", WorkflowMetadata.class).getCurrentDetails();
    stub.getResult(DeployProgress.class);

    assertEquals(0, upserts(env, stub));
    assertTrue(details.startsWith("**APPLYING** · rev 4 · dynamo-graph → scripted@lab"), details);
    assertTrue(details.contains("| vllm_worker | WAITING | 1/2 | 1/2 ready |"), details);
  }
}

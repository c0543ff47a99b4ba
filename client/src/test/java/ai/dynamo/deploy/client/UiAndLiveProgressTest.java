package ai.dynamo.deploy.client;

import ai.dynamo.deploy.ir.TestGraphs;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.Eventually;
import ai.dynamo.deploy.testing.fake.FakeDeploys;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.workflows.ComponentPhase;
import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployProgress;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DefaultDataConverter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What people see: activity summaries, current details, and live counts while a component waits. */
@Timeout(120)
class UiAndLiveProgressTest {

  @Test
  void activitiesCarryHumanSummaries() {
    try (DeployEnvironment env = DeployEnvironment.withFakeTarget()) {
      WorkflowStub stub = Deploys.start(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of()));
      DeployOutcomes.await(stub);
      List<String> summaries =
          env.history(stub).stream()
              .filter(e -> e.getUserMetadata().hasSummary())
              .map(e -> DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                  e.getUserMetadata().getSummary(), String.class, String.class))
              .toList();
      assertTrue(summaries.contains("apply vllm_worker (2 replicas)"), summaries.toString());
      assertTrue(summaries.contains("apply leader of sglang_worker (1 replica x 2 nodes)"), summaries.toString());
      assertTrue(summaries.contains("start workers of sglang_worker (1 replica x 2 nodes)"), summaries.toString());
      assertTrue(summaries.contains("await vllm_worker ready (2 replicas)"), summaries.toString());
      assertTrue(summaries.contains("record dynamo-graph rev 1"), summaries.toString());
    }
  }

  @Test
  void liveProgressShowsHeartbeatsOfWaitingComponentsAndDetailsShowATable() throws Exception {
    try (DeployEnvironment env = DeployEnvironment.withFakeTarget()) {
      WorkflowStub stub =
          Deploys.start(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of("fake.readyAfterSeconds", "600", "fake.pollMillis", "100")));
      String id = stub.getExecution().getWorkflowId();
      String run = stub.getExecution().getRunId();
      AtomicReference<DeployProgress> live = new AtomicReference<>();
      Eventually.within(
          Duration.ofSeconds(30),
          () -> {
            live.set(LiveProgress.fetch(env.client(), id, run));
            ComponentProgress c = live.get().component("vllm_worker");
            return c.phase() == ComponentPhase.WAITING && c.message().equals("0/2 ready");
          });
      // The query alone knows only what the apply said; the heartbeat said more, without history events.
      DeployProgress queried = Deploys.typed(env.client(), stub).progress();
      assertEquals("applied all of revision 1", queried.component("vllm_worker").message());
      assertEquals(
          ComponentPhase.WAITING_LEADER, live.get().component("sglang_worker").phase());

      WorkflowMetadata metadata = stub.query("__temporal_workflow_metadata", WorkflowMetadata.class);
      String details = metadata.getCurrentDetails();
      assertTrue(details.contains("| component | change | phase | ready | message |"), details);
      assertTrue(details.contains("| vllm_worker | added | WAITING | 0/2 |"), details);
      assertTrue(details.contains("rev 1"), details);
      stub.cancel();
      assertNotNull(Optional.ofNullable(DeployOutcomes.await(stub)).orElse(null));
    }
  }
}

package ai.dynamo.deploy.client;

import ai.dynamo.deploy.ir.TestGraphs;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.Eventually;
import ai.dynamo.deploy.testing.fake.FakeDeploys;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.workflows.ComponentPhase;
import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class DeployWorkflowTest {
  @RegisterExtension final DeployEnvironment env = DeployEnvironment.withFakeTarget();

  private int indexOf(String call) {
    int i = env.fake().calls().indexOf(call);
    assertTrue(i >= 0, "no call \"" + call + "\" in " + env.fake().calls());
    return i;
  }

  @Test
  void happyPathDeploysEveryComponentAndRecordsRevisionOne() {
    DeployResult result = Deploys.deploy(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of()));

    assertEquals(Phase.READY, result.phase());
    assertEquals(1, result.revision());
    assertEquals(1, env.fake().liveRevision("lab", "dynamo-graph"));
    assertEquals(
        Map.of("http_ingress", 1, "vllm_worker", 1, "sglang_worker", 1, "batch_processor", 1),
        env.fake().running("lab", "dynamo-graph"));
    for (ComponentProgress c : result.progress().components()) {
      assertEquals(ComponentPhase.READY, c.phase(), c.name());
      assertEquals(c.desired(), c.ready(), c.name());
    }
    assertTrue(indexOf("record dynamo-graph rev 1") > indexOf("ready http_ingress ALL"));
  }

  @Test
  void secondDeployCreatesRevisionTwo() {
    assertEquals(1, Deploys.deploy(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of())).revision());
    DeployResult second = Deploys.deploy(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of("fake.pollMillis", "100")));
    assertEquals(Phase.READY, second.phase());
    assertEquals(2, second.revision());
    assertEquals(2, env.fake().liveRevision("lab", "dynamo-graph"));
  }

  @Test
  void progressQueryHasGraphTargetRevisionAndCountsPerComponent() {
    DeployResult result = Deploys.deploy(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of()));
    DeployProgress p = result.progress();
    assertEquals("dynamo-graph", p.graph());
    assertEquals("fake@lab", p.target());
    assertEquals(Phase.READY, p.phase());
    assertEquals(1, p.revision());
    assertEquals(
        List.of("http_ingress", "vllm_worker", "sglang_worker", "batch_processor"),
        p.components().stream().map(ComponentProgress::name).toList());
    ComponentProgress group = p.components().get(2);
    assertEquals(2, group.desired(), "1 replica x 2 nodes");
    assertEquals(2, group.ready());
    ComponentProgress ingress = p.components().get(0);
    assertEquals("2/2 ready", ingress.message());
    assertTrue(p.updatedEpochMillis() >= p.startedEpochMillis());
  }

  @Test
  void enginesGoFirstAndInParallelThenFrontEnds() {
    Deploys.deploy(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of("fake.readyAfterSeconds", "1", "fake.pollMillis", "50")));
    // Both engines are applied before either is ready: they ran in parallel, not one after the other.
    int lastEngineApply = Math.max(indexOf("apply vllm_worker ALL"), indexOf("apply sglang_worker LEADER"));
    int firstEngineReady = Math.min(indexOf("ready vllm_worker ALL"), indexOf("ready sglang_worker LEADER"));
    assertTrue(lastEngineApply < firstEngineReady, env.fake().calls().toString());
    // The second wave (front end and batch) starts only when every engine is ready.
    int engineDone = Math.max(indexOf("ready vllm_worker ALL"), indexOf("ready sglang_worker WORKERS"));
    assertTrue(engineDone < indexOf("apply http_ingress ALL"), env.fake().calls().toString());
    assertTrue(engineDone < indexOf("apply batch_processor ALL"), env.fake().calls().toString());
    // ... and its two components go in parallel too.
    assertTrue(
        Math.max(indexOf("apply http_ingress ALL"), indexOf("apply batch_processor ALL"))
            < Math.min(indexOf("ready http_ingress ALL"), indexOf("ready batch_processor ALL")),
        env.fake().calls().toString());
  }

  @Test
  void leaderIsReadyBeforeWorkersAreApplied() {
    Deploys.deploy(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of("fake.readyAfterSeconds", "1", "fake.pollMillis", "50")));
    int applyLeader = indexOf("apply sglang_worker LEADER");
    int leaderReady = indexOf("ready sglang_worker LEADER");
    int applyWorkers = indexOf("apply sglang_worker WORKERS");
    int workersReady = indexOf("ready sglang_worker WORKERS");
    assertTrue(applyLeader < leaderReady, env.fake().calls().toString());
    assertTrue(leaderReady < applyWorkers, env.fake().calls().toString());
    assertTrue(applyWorkers < workersReady, env.fake().calls().toString());
  }

  /**
   * One engine fails while the others of its wave become ready at the same moment. Cancelling their waits then
   * races their completion, which hangs a workflow on Temporal's Java test server (sdk-java#2391) — the server of
   * the embedded default. Stopped waits are abandoned instead, so every repetition ends, rolled back.
   */
  @RepeatedTest(10)
  void aFailureWhileTheRestOfTheWaveTurnsReadyStillRollsBack() {
    DeployResult result =
        Deploys.deploy(env.client(), 
            FakeDeploys.request(
                TestGraphs.wide(4),
                Map.of("fake.failComponent", "engine_1", "fake.readyAfterSeconds", "0", "fake.pollMillis", "5")));
    assertEquals(Phase.ROLLED_BACK, result.phase(), result.message());
    assertEquals(Map.of(), env.fake().running("lab", TestGraphs.wide(4).name()), "nothing of the failed install is left");
  }

  @Test
  void failedComponentOnFirstInstallRemovesEverythingAndEndsRolledBack() {
    DeployResult result =
        Deploys.deploy(env.client(), 
            FakeDeploys.request(
                TestGraphs.sample(),
                Map.of(
                    "fake.failComponent", "vllm_worker",
                    "fake.failMessage", "pod vllm-worker-1: CrashLoopBackOff",
                    "fake.readyAfterSeconds", "600",
                    "fake.pollMillis", "50")));

    assertEquals(Phase.ROLLED_BACK, result.phase());
    assertEquals(0, result.revision(), "nothing is live after a failed first install");
    assertTrue(result.message().contains("vllm_worker: pod vllm-worker-1: CrashLoopBackOff"), result.message());
    assertTrue(env.fake().calls().contains("rollback dynamo-graph rev 1 -> 0"), env.fake().calls().toString());
    assertEquals(Map.of(), env.fake().running("lab", "dynamo-graph"));
    assertEquals(0, env.fake().liveRevision("lab", "dynamo-graph"));
    // The failing component says why; the front ends of the second wave were never touched.
    ComponentProgress vllm = result.progress().component("vllm_worker");
    assertEquals(ComponentPhase.ROLLED_BACK, vllm.phase());
    assertEquals(ComponentPhase.PENDING, result.progress().component("http_ingress").phase());
    assertFalse(env.fake().calls().contains("apply http_ingress ALL"));
  }

  @Test
  void failedUpdateRestoresThePreviousRevision() {
    assertEquals(Phase.READY, Deploys.deploy(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of())).phase());
    DeployResult result =
        Deploys.deploy(env.client(), 
            FakeDeploys.request(
                TestGraphs.sample(),
                Map.of("fake.failComponent", "http_ingress", "fake.readyAfterSeconds.batch_processor", "600")));
    assertEquals(Phase.ROLLED_BACK, result.phase());
    assertEquals(1, result.revision());
    assertTrue(env.fake().calls().contains("rollback dynamo-graph rev 2 -> 1"), env.fake().calls().toString());
    assertEquals(1, env.fake().liveRevision("lab", "dynamo-graph"));
    assertEquals(
        Map.of("http_ingress", 1, "vllm_worker", 1, "sglang_worker", 1, "batch_processor", 1),
        env.fake().running("lab", "dynamo-graph"));
  }

  @Test
  void failingWorkersOfAGroupFailAfterTheLeaderWasReady() {
    DeployResult result =
        Deploys.deploy(env.client(), 
            FakeDeploys.request(
                TestGraphs.sample(),
                Map.of(
                    "fake.failComponent", "sglang_worker",
                    "fake.failStage", "workers",
                    "fake.readyAfterSeconds.vllm_worker", "600")));
    assertEquals(Phase.ROLLED_BACK, result.phase());
    assertTrue(indexOf("ready sglang_worker LEADER") < indexOf("failed sglang_worker WORKERS"));
  }

  @Test
  void componentNeverReadyTimesOutAndRollsBack() {
    DeployRequest request =
        FakeDeploys.request(
            TestGraphs.small(),
            Map.of("fake.neverReady", "vllm_worker", "fake.pollMillis", "100"),
            Duration.ofSeconds(2));
    DeployResult result = Deploys.deploy(env.client(), request);

    assertEquals(Phase.TIMED_OUT, result.phase());
    assertTrue(result.message().contains("vllm_worker not ready after 2s"), result.message());
    assertTrue(result.message().contains("Pending"), "carries the last word from the target: " + result.message());
    assertTrue(env.fake().calls().contains("rollback dynamo-graph rev 1 -> 0"), env.fake().calls().toString());
    assertEquals(Map.of(), env.fake().running("lab", "dynamo-graph"));
  }

  @Test
  void cancelRollsBackAndEndsCancelled() throws Exception {
    WorkflowStub stub =
        Deploys.start(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of("fake.readyAfterSeconds", "600", "fake.pollMillis", "50")));
    Eventually.within(Duration.ofSeconds(30), () -> env.fake().calls().contains("await vllm_worker ALL"));
    stub.cancel();
    DeployResult result = DeployOutcomes.await(stub);

    assertEquals(Phase.CANCELLED, result.phase());
    assertTrue(env.fake().calls().contains("rollback dynamo-graph rev 1 -> 0"), env.fake().calls().toString());
    assertEquals(Map.of(), env.fake().running("lab", "dynamo-graph"));
    assertEquals(ComponentPhase.ROLLED_BACK, result.progress().component("vllm_worker").phase());
    assertTrue(
        env.history(stub).stream().anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED),
        "the run ends cancelled in Temporal too");
  }

  @Test
  void cancelBeforeAnythingIsAppliedEndsCancelledWithoutRollback() throws Exception {
    WorkflowStub stub = Deploys.start(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of("fake.preflightSeconds", "5")));
    Eventually.within(Duration.ofSeconds(30), () -> env.fake().calls().contains("preflight dynamo-graph"));
    stub.cancel();
    DeployResult result = DeployOutcomes.await(stub);
    assertEquals(Phase.CANCELLED, result.phase());
    assertEquals("cancelled before anything was applied", result.message());
    assertFalse(env.fake().calls().stream().anyMatch(c -> c.startsWith("apply") || c.startsWith("rollback")),
        env.fake().calls().toString());
  }

  @Test
  void nonRetryablePreflightFailureFailsAtOnceWithoutRetriesOrRollback() {
    DeployResult result =
        Deploys.deploy(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of("fake.preflightFailure", DeployFailures.UNKNOWN_HOST_KEY)));

    assertEquals(Phase.FAILED, result.phase());
    assertTrue(result.message().contains("UnknownHostKey"), result.message());
    assertEquals(1, env.fake().calls().stream().filter(c -> c.startsWith("preflight")).count(), "no retry");
    assertFalse(env.fake().calls().stream().anyMatch(c -> c.startsWith("apply") || c.startsWith("rollback")));
  }

  @Test
  void invalidSettingsFailValidationWithoutRetries() {
    DeployResult result = Deploys.deploy(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of("fake.readyAfterSeconds", "soon")));
    assertEquals(Phase.FAILED, result.phase());
    assertTrue(result.message().contains("fake.readyAfterSeconds must be a whole number"), result.message());
    assertTrue(env.fake().calls().isEmpty(), "stopped before preflight: " + env.fake().calls());
  }

  @Test
  void transientApplyErrorsAreRetriedWithBackoff() {
    DeployResult result =
        Deploys.deploy(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of("fake.transientApplyFailures", "2")));
    assertEquals(Phase.READY, result.phase());
    assertEquals(
        2, env.fake().calls().stream().filter(c -> c.equals("apply-transient-failure vllm_worker ALL")).count());
  }

  @Test
  void failureEventsCarryTheDeployResultAndTheRunFailsInTemporal() {
    WorkflowStub stub =
        Deploys.start(env.client(), 
            FakeDeploys.request(
                TestGraphs.sample(), Map.of("fake.failComponent", "vllm_worker", "fake.readyAfterSeconds", "600")));
    DeployResult result = DeployOutcomes.await(stub);
    assertEquals(Phase.ROLLED_BACK, result.phase());
    List<HistoryEvent> events = env.history(stub);
    HistoryEvent last = events.get(events.size() - 1);
    assertEquals(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, last.getEventType());
    assertEquals(
        DeployFailures.DEPLOY_FAILED,
        last.getWorkflowExecutionFailedEventAttributes().getFailure().getApplicationFailureInfo().getType());
  }
}

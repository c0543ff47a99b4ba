package ai.dynamo.deploy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.TestGraphs;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.fake.FakeDeploys;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.Phase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code deploy status}'s live check as the client runs it, with the fake target for the deploy and a scripted
 * {@link LiveCheck} for the target's answer (the real targets' answers are tested in the CLI's tests, on fabric8's mock
 * API server and the local Slurm cluster): the recorded state stays, the live answer is judged beside it, and a check
 * that fails or hangs is reported, bounded, never in place of the recorded state.
 */
@Timeout(60)
class LiveStatusTest {
  static final String WF = "deploy/fake/lab/dynamo-graph";

  @RegisterExtension final DeployEnvironment env = DeployEnvironment.withFakeTarget();

  private DeployStatus.View readyDeploy() {
    Deploys.deploy(env.client(), FakeDeploys.request(TestGraphs.small(), Map.of()));
    DeployStatus.View recorded = new DeployStatus(env.client()).status(WF);
    assertEquals("READY", recorded.phase());
    assertNull(recorded.live(), "the recorded view alone has no live answer");
    return recorded;
  }

  private DeployStatus.View withLive(DeployStatus.View recorded, LiveCheck check, Duration bound) {
    return new LiveStatus(env.client(), check, bound, Clock.systemUTC()).addTo(recorded);
  }

  @Test
  void aComponentThatDiedAfterReadyIsShownBesideTheRecordedReady() {
    DeployStatus.View recorded = readyDeploy();
    AtomicReference<DeployRequest> asked = new AtomicReference<>();
    DeployStatus.View v = withLive(recorded, (request, workflowId, runId) -> {
      asked.set(request);
      return new LiveCheck.Live(1, "fake@lab", List.of(
          new LiveCheck.Component("vllm_worker", 1, true, "job(s) 11 running"),
          new LiveCheck.Component("http_ingress", 1, false, "job 12 CANCELLED")));
    }, Duration.ofSeconds(5));

    assertEquals("READY", v.phase(), "the recorded state is kept");
    assertEquals("dynamo-graph", asked.get().graph().name(), "the check gets the run's own request");
    assertEquals(2, asked.get().graph().components().size(), "with its components");
    assertEquals(LiveStatus.State.NOT_READY, v.live().state());
    assertEquals(1, v.live().ready());
    assertEquals(2, v.live().total());
    assertEquals("1 of 2 component(s) of revision 1 not ready: http_ingress: job 12 CANCELLED", v.live().message());
  }

  @Test
  void allReadyAndNothingLiveAfterReadyAreJudged() {
    DeployStatus.View recorded = readyDeploy();
    DeployStatus.View ok = withLive(recorded, (r, w, run) -> new LiveCheck.Live(1, "fake@lab",
        List.of(new LiveCheck.Component("vllm_worker", 1, true, "1 workload(s) ready"))), Duration.ofSeconds(5));
    assertEquals(LiveStatus.State.READY, ok.live().state());
    assertEquals("all 1 component(s) of revision 1 ready", ok.live().message());

    DeployStatus.View gone = withLive(recorded, (r, w, run) -> new LiveCheck.Live(0, "fake@lab", List.of()),
        Duration.ofSeconds(5));
    assertEquals(LiveStatus.State.NOT_READY, gone.live().state());
    assertTrue(gone.live().message().startsWith("nothing runs: fake@lab records no live revision"),
        gone.live().message());
    // After a rolled-back first install nothing is expected to run.
    assertEquals(LiveStatus.State.NOTHING_LIVE,
        LiveStatus.judge(Phase.ROLLED_BACK, 1, new LiveCheck.Live(0, "fake@lab", List.of()), "t").state());
  }

  @Test
  void anUnreachableTargetIsReportedBesideTheRecordedState() {
    DeployStatus.View recorded = readyDeploy();
    DeployStatus.View v = withLive(recorded, (r, w, run) -> {
      throw new IllegalStateException("Slurm login node alice@login1:22: connect: Connection refused");
    }, Duration.ofSeconds(5));
    assertEquals("READY", v.phase());
    assertEquals(recorded.components(), v.components());
    assertEquals(LiveStatus.State.CHECK_FAILED, v.live().state());
    assertEquals("fake@lab", v.live().endpoint());
    assertEquals("the live check failed: fake@lab: Slurm login node alice@login1:22: connect: Connection refused",
        v.live().message());
  }

  @Test
  void aTargetThatDoesNotAnswerIsGivenUpOnAtTheBound() {
    DeployStatus.View recorded = readyDeploy();
    long start = System.nanoTime();
    DeployStatus.View v = withLive(recorded, (r, w, run) -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new LiveCheck.Live(1, "fake@lab", List.of());
    }, Duration.ofMillis(500));
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos(), "bounded");
    assertEquals(LiveStatus.State.CHECK_FAILED, v.live().state());
    assertEquals("the live check failed: fake@lab did not answer within 0.5 s", v.live().message());
    assertEquals("READY", v.phase());
  }

  private static DeployStatus.View recorded(String phase, String closedAt, Integer revision, String componentPhase) {
    return new DeployStatus.View(WF, "r1", closedAt == null ? "RUNNING" : "COMPLETED", "dynamo-graph", "fake@lab",
        phase, revision, "", "2026-01-01T00:00:00Z", null, closedAt,
        List.of(new DeployStatus.ComponentView("vllm_worker", componentPhase, 0, 1, "", null, "")), null);
  }

  @Test
  void checkedOnlyWhenTheRecordedEndingLeavesSomethingRunning() {
    String closed = "2026-01-01T00:01:00Z";
    assertTrue(LiveStatus.applies(recorded("READY", closed, 1, "READY")));
    assertTrue(LiveStatus.applies(recorded("ROLLED_BACK", closed, 1, "ROLLED_BACK")));
    assertTrue(LiveStatus.applies(recorded("FAILED", closed, 1, "FAILED")), "a component was applied");
    assertTrue(LiveStatus.applies(recorded("FAILED", closed, 3, "PENDING")), "revision 2 may still run");
    assertFalse(LiveStatus.applies(recorded("FAILED", closed, 1, "PENDING")), "a first deploy that applied nothing");
    assertFalse(LiveStatus.applies(recorded("WAITING", null, 1, "WAITING")), "running: its progress is live");
    assertFalse(LiveStatus.applies(recorded("UNINSTALLED", closed, 1, "PENDING")));
  }
}

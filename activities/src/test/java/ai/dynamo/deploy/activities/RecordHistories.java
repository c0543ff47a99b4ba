package ai.dynamo.deploy.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.client.DeployDecisions;
import ai.dynamo.deploy.workflows.client.DeployOutcomes;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Records the histories the replay test ({@code DeployWorkflowReplayTest} in the workflows module) replays. Runs
 * only when asked, because the files are committed:
 *
 * <pre>
 * DYNAMO_RECORD_HISTORIES=1 mvn -o -B -q -pl activities -am test -Dtest=RecordHistories \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Refresh them only for a deliberate, versioned change (see docs/workflow.md): a replay failure otherwise means a
 * change broke running deploys.
 */
@Timeout(120)
class RecordHistories {
  static final Path DIR = Path.of("..", "workflows", "src", "test", "resources", "histories");

  private static void record(String name, Harness h, WorkflowStub stub) throws IOException {
    String json =
        h.client
            .fetchHistory(stub.getExecution().getWorkflowId(), stub.getExecution().getRunId())
            .toJson(true);
    Files.createDirectories(DIR);
    Files.writeString(DIR.resolve(name + ".json"), json);
  }

  /**
   * The paths of pause on failure (recorded on their own, so that adding them never re-records the older files):
   * {@code DYNAMO_RECORD_HISTORIES=pause}.
   */
  @Test
  void recordPauseRuns() throws Exception {
    Assumptions.assumeTrue("pause".equals(System.getenv("DYNAMO_RECORD_HISTORIES")), "set DYNAMO_RECORD_HISTORIES=pause");
    String wf = "deploy/fake/lab/dynamo-graph";
    try (Harness h = new Harness()) {
      WorkflowStub paused = h.start(OperatingRolloutsTest.failingFrontEnd(null));
      awaitPaused(paused);
      h.fake.fix("lab", "dynamo-graph", "http_ingress");
      DeployDecisions.decide(h.client, wf, "retry");
      assertEquals(Phase.READY, DeployOutcomes.await(paused).phase());
      record("pause-retry", h, paused);
    }
    try (Harness h = new Harness()) {
      WorkflowStub paused = h.start(OperatingRolloutsTest.failingFrontEnd(null));
      awaitPaused(paused);
      DeployDecisions.decide(h.client, wf, "rollback");
      assertEquals(Phase.ROLLED_BACK, DeployOutcomes.await(paused).phase());
      record("pause-rollback", h, paused);
    }
    try (Harness h = new Harness()) {
      WorkflowStub paused = h.start(OperatingRolloutsTest.failingFrontEnd(Duration.ofMinutes(30)));
      assertEquals(Phase.ROLLED_BACK, DeployOutcomes.await(paused).phase());
      record("pause-timeout", h, paused);
    }
    try (Harness h = new Harness()) {
      WorkflowStub paused = h.start(OperatingRolloutsTest.failingFrontEnd(null));
      awaitPaused(paused);
      DeployDecisions.decide(h.client, wf, "abort");
      assertEquals(Phase.FAILED, DeployOutcomes.await(paused).phase());
      record("pause-abort", h, paused);
    }
  }

  private static void awaitPaused(WorkflowStub stub) throws InterruptedException {
    Harness.eventually(Duration.ofSeconds(60),
        () -> stub.query("progress", ai.dynamo.deploy.workflows.DeployProgress.class).phase() == Phase.PAUSED);
  }

  @Test
  void recordRepresentativeRuns() throws Exception {
    Assumptions.assumeTrue("1".equals(System.getenv("DYNAMO_RECORD_HISTORIES")), "set DYNAMO_RECORD_HISTORIES=1");

    try (Harness h = new Harness()) {
      WorkflowStub ok = h.start(Graphs.request(Graphs.sample(), Map.of()));
      assertEquals(Phase.READY, DeployOutcomes.await(ok).phase());
      record("success", h, ok);

      WorkflowStub update = h.start(Graphs.request(Graphs.sample(), Map.of("fake.failComponent", "http_ingress",
          "fake.readyAfterSeconds.batch_processor", "600")));
      assertEquals(Phase.ROLLED_BACK, DeployOutcomes.await(update).phase());
      record("rollback-update", h, update);
    }
    try (Harness h = new Harness()) {
      WorkflowStub failed = h.start(Graphs.request(Graphs.sample(), Map.of("fake.failComponent", "sglang_worker",
          "fake.failStage", "workers", "fake.readyAfterSeconds.vllm_worker", "600")));
      assertEquals(Phase.ROLLED_BACK, DeployOutcomes.await(failed).phase());
      record("rollback-first-install", h, failed);
    }
    try (Harness h = new Harness()) {
      DeployRequest slow =
          Graphs.request(Graphs.small(), Map.of("fake.neverReady", "vllm_worker", "fake.pollMillis", "100"),
              Duration.ofSeconds(2));
      WorkflowStub timedOut = h.start(slow);
      assertEquals(Phase.TIMED_OUT, DeployOutcomes.await(timedOut).phase());
      record("timeout", h, timedOut);
    }
    try (Harness h = new Harness()) {
      WorkflowStub cancelled =
          h.start(Graphs.request(Graphs.sample(), Map.of("fake.readyAfterSeconds", "600", "fake.pollMillis", "50")));
      Harness.eventually(Duration.ofSeconds(30), () -> h.fake.calls().contains("await vllm_worker ALL"));
      cancelled.cancel();
      assertEquals(Phase.CANCELLED, DeployOutcomes.await(cancelled).phase());
      record("cancel", h, cancelled);
    }
    try (Harness h = new Harness()) {
      WorkflowStub refused = h.start(Graphs.request(Graphs.sample(), Map.of("fake.preflightFailure", "QuotaExceeded")));
      assertEquals(Phase.FAILED, DeployOutcomes.await(refused).phase());
      record("preflight-failed", h, refused);
    }
  }
}

package ai.dynamo.deploy.workflows;

import static ai.dynamo.deploy.workflows.WorkflowRuns.await;
import static ai.dynamo.deploy.workflows.WorkflowRuns.awaitPhase;
import static ai.dynamo.deploy.workflows.WorkflowRuns.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.TestGraphs;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Records the histories {@link DeployWorkflowReplayTest} replays, one per path of the workflow, with the activities
 * scripted. Runs only when asked, because the files are committed and must not change by accident:
 *
 * <pre>
 * DYNAMO_RECORD_HISTORIES=1 mvn -o -B -q -pl workflows -am test -Dtest=RecordHistories \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * They go to this module's {@code src/test/resources/histories}, or to {@code DYNAMO_RECORD_HISTORIES_DIR}. Record
 * only for a deliberate, versioned change (see docs/workflow.md), under new names: running deploys may still have
 * the old histories, which must keep replaying.
 */
@Timeout(120)
class RecordHistories {
  private static Path dir() {
    String dir = System.getenv("DYNAMO_RECORD_HISTORIES_DIR");
    return dir == null || dir.isBlank() ? DeployWorkflowReplayTest.DIR : Path.of(dir);
  }

  /** What a recording does on its service: starts a deploy (and decides on it) and returns the run to record. */
  private interface Run {
    WorkflowStub start(Starter starter);
  }

  /** Starts a deploy on the recording's service. */
  private interface Starter {
    WorkflowStub deploy(DeployRequest request);
  }

  /** One run on a fresh test service, recorded once it ended in {@code expected}. */
  private static void record(String name, ScriptedActivities script, Run run, Phase expected) throws IOException {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("record");
      worker.registerWorkflowImplementationTypes(DeployWorkflowImpl.class);
      worker.registerActivitiesImplementations(script);
      env.start();
      WorkflowOptions options = WorkflowOptions.newBuilder().setTaskQueue("record").build();
      WorkflowStub stub = run.start(request -> WorkflowRuns.start(env.getWorkflowClient(), options, request));
      assertEquals(expected, await(stub).phase());
      String json = env.getWorkflowClient()
          .fetchHistory(stub.getExecution().getWorkflowId(), stub.getExecution().getRunId()).toJson(true);
      Files.createDirectories(dir());
      Files.writeString(dir().resolve(name + ".json"), json);
    }
  }

  @Test
  void recordEveryPath() throws Exception {
    Assumptions.assumeTrue("1".equals(System.getenv("DYNAMO_RECORD_HISTORIES")), "set DYNAMO_RECORD_HISTORIES=1");
    Graph sample = TestGraphs.sample();
    Graph small = TestGraphs.small();
    record("success", new ScriptedActivities(sample), o -> o.deploy(request(sample)), Phase.READY);
    record("rollback-update", new ScriptedActivities(sample).live(1).fail("http_ingress", "await"),
        o -> o.deploy(request(sample)), Phase.ROLLED_BACK);
    record("rollback-first-install", new ScriptedActivities(sample).fail("sglang_worker", "workers"),
        o -> o.deploy(request(sample)), Phase.ROLLED_BACK);
    record("timeout", new ScriptedActivities(small).neverReady("vllm_worker"), o -> o.deploy(request(small)),
        Phase.TIMED_OUT);
    record("preflight-failed", new ScriptedActivities(sample).preflightFails("QuotaExceeded"),
        o -> o.deploy(request(sample)), Phase.FAILED);
    ScriptedActivities blocked = new ScriptedActivities(sample).block("vllm_worker");
    record("cancel", blocked, o -> {
      WorkflowStub stub = o.deploy(request(sample));
      awaitQuietly(stub, Phase.WAITING);
      stub.cancel();
      return stub;
    }, Phase.CANCELLED);
    blocked.release("vllm_worker");
    for (String decision : new String[] {"retry", "rollback", "abort"}) {
      ScriptedActivities failing = new ScriptedActivities(small).fail("http_ingress", "await");
      Phase end = decision.equals("retry") ? Phase.READY : decision.equals("rollback") ? Phase.ROLLED_BACK : Phase.FAILED;
      record("pause-" + decision, failing, o -> {
        WorkflowStub stub = o.deploy(pausing(small, null));
        awaitQuietly(stub, Phase.PAUSED);
        if (decision.equals("retry")) failing.fix("http_ingress");
        stub.update(decision, String.class);
        return stub;
      }, end);
    }
    record("pause-timeout", new ScriptedActivities(small).fail("http_ingress", "await"),
        o -> o.deploy(pausing(small, Duration.ofMinutes(30))), Phase.ROLLED_BACK);
  }

  /**
   * The paths of per-component updates, recorded on their own so the older files stay as they were:
   * {@code DYNAMO_RECORD_HISTORIES=updates}.
   */
  @Test
  void recordUpdatePaths() throws Exception {
    Assumptions.assumeTrue("updates".equals(System.getenv("DYNAMO_RECORD_HISTORIES")),
        "set DYNAMO_RECORD_HISTORIES=updates");
    Graph sample = TestGraphs.sample();
    String[] all = {"vllm_worker", "sglang_worker", "http_ingress", "batch_processor"};
    record("update-unchanged", new ScriptedActivities(sample).live(2).unchanged(all),
        o -> o.deploy(request(sample)), Phase.READY);
    record("update-partial", new ScriptedActivities(sample).live(2).unchanged("vllm_worker", "sglang_worker")
        .removed("old_router").strategy(UpdateStrategy.RECREATE), o -> o.deploy(request(sample)), Phase.READY);
    record("update-recreate-rollback", new ScriptedActivities(sample).live(1)
        .unchanged("vllm_worker", "sglang_worker", "batch_processor").strategy(UpdateStrategy.RECREATE)
        .fail("http_ingress", "await"), o -> o.deploy(request(sample)), Phase.ROLLED_BACK);
  }

  /**
   * The paths of held starts (a target that holds starts; the second wave's new components applied with the first),
   * recorded on their own: {@code DYNAMO_RECORD_HISTORIES=held}.
   */
  @Test
  void recordHeldStartPaths() throws Exception {
    Assumptions.assumeTrue("held".equals(System.getenv("DYNAMO_RECORD_HISTORIES")),
        "set DYNAMO_RECORD_HISTORIES=held");
    Graph sample = TestGraphs.sample();
    record("held-start", new ScriptedActivities(sample).startsHeld(), o -> o.deploy(request(sample)), Phase.READY);
    record("held-start-rollback", new ScriptedActivities(sample).startsHeld().fail("vllm_worker", "await"),
        o -> o.deploy(request(sample)), Phase.ROLLED_BACK);
  }

  /**
   * The pause whose message names the place (the flags that pick it, shell-quoted), retried, recorded on its own:
   * {@code DYNAMO_RECORD_HISTORIES=pause-place}.
   */
  @Test
  void recordPausePlacePaths() throws Exception {
    Assumptions.assumeTrue("pause-place".equals(System.getenv("DYNAMO_RECORD_HISTORIES")),
        "set DYNAMO_RECORD_HISTORIES=pause-place");
    Graph small = TestGraphs.small();
    TargetSpec slurm = new TargetSpec("slurm", "alice@login1:22", java.util.Map.of("sshHost", "login-a",
        "sshKey", "/home/alice/my keys/id_ed25519", "partition", "gpu"));
    ScriptedActivities failing = new ScriptedActivities(small).fail("http_ingress", "await");
    record("pause-retry-place", failing, o -> {
      WorkflowStub stub = o.deploy(DeployRequest.of(small, slurm, request(small).options().pausingOnFailure(null)));
      awaitQuietly(stub, Phase.PAUSED);
      failing.fix("http_ingress");
      stub.update("retry", String.class);
      return stub;
    }, Phase.READY);
  }

  /**
   * The abort of a paused deploy that cancels the held jobs of the wave that never came (abort-cancels-held),
   * recorded on its own: {@code DYNAMO_RECORD_HISTORIES=abort-held}.
   */
  @Test
  void recordAbortHeldPaths() throws Exception {
    Assumptions.assumeTrue("abort-held".equals(System.getenv("DYNAMO_RECORD_HISTORIES")),
        "set DYNAMO_RECORD_HISTORIES=abort-held");
    Graph sample = TestGraphs.sample();
    record("pause-abort-held", new ScriptedActivities(sample).startsHeld().fail("vllm_worker", "await"), o -> {
      WorkflowStub stub = o.deploy(pausing(sample, null));
      awaitQuietly(stub, Phase.PAUSED);
      stub.update("abort", String.class);
      return stub;
    }, Phase.FAILED);
  }

  /**
   * The abort of a paused deploy whose held front end's releasing apply failed (abort-cancels-held version 2: that
   * job is cancelled too), recorded on its own: {@code DYNAMO_RECORD_HISTORIES=abort-held-release}.
   */
  @Test
  void recordAbortHeldFailedReleasePath() throws Exception {
    Assumptions.assumeTrue("abort-held-release".equals(System.getenv("DYNAMO_RECORD_HISTORIES")),
        "set DYNAMO_RECORD_HISTORIES=abort-held-release");
    Graph sample = TestGraphs.sample();
    record("pause-abort-held-failed-release",
        new ScriptedActivities(sample).startsHeld().fail("http_ingress", "apply"), o -> {
          WorkflowStub stub = o.deploy(pausing(sample, null));
          awaitQuietly(stub, Phase.PAUSED);
          stub.update("abort", String.class);
          return stub;
        }, Phase.FAILED);
  }

  private static DeployRequest pausing(Graph graph, Duration timeout) {
    DeployRequest r = request(graph);
    return r.withOptions(r.options().pausingOnFailure(timeout));
  }

  private static void awaitQuietly(WorkflowStub stub, Phase phase) {
    try {
      awaitPhase(stub, phase);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

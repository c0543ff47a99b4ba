package ai.dynamo.deploy.workflows;

import static ai.dynamo.deploy.workflows.WorkflowRuns.await;
import static ai.dynamo.deploy.workflows.WorkflowRuns.awaitPhase;
import static ai.dynamo.deploy.workflows.WorkflowRuns.request;
import static ai.dynamo.deploy.workflows.WorkflowRuns.start;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.ir.TestGraphs;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The deploy script on Temporal's test server, with the activities scripted ({@link ScriptedActivities}): what the
 * workflow itself decides (order, rollback, ends, pauses), independent of any target. End-to-end runs with the real
 * activities and the fake target are in the client module.
 */
@Timeout(60)
class DeployWorkflowScriptTest {
  @RegisterExtension
  final TestWorkflowExtension temporal =
      TestWorkflowExtension.newBuilder().registerWorkflowImplementationTypes(DeployWorkflowImpl.class)
          .setDoNotStart(true).build();

  private static int indexOf(ScriptedActivities script, String call) {
    int i = script.calls().indexOf(call);
    assertTrue(i >= 0, "no call \"" + call + "\" in " + script.calls());
    return i;
  }

  @Test
  void readyDeployRunsTheStepsInOrderAndRecordsTheRevision(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample()).live(2);
    DeployResult result = await(start(env, worker, options, script, request(TestGraphs.sample())));

    assertEquals(Phase.READY, result.phase(), result.message());
    assertEquals(3, result.revision(), "previous + 1");
    assertEquals(List.of("validate", "plan", "preflight"), script.calls().subList(0, 3));
    assertEquals("record rev 3", script.calls().get(script.calls().size() - 1));
    RevisionRecord record = script.records().get(0);
    assertEquals(request(TestGraphs.sample()).specDigest(), record.specDigest());
    assertEquals("test@host", record.startedBy());
    assertTrue(record.workflowId().startsWith("deploy/scripted/lab/dynamo-graph/"), record.workflowId());
    assertEquals("4 components ready, revision 3 (4 updated)", result.message());
    assertTrue(result.progress().components().stream().allMatch(c -> c.phase() == ComponentPhase.READY));
    assertTrue(script.rollbacks().isEmpty());
  }

  @Test
  void enginesBeforeFrontEndsAndALeaderReadyBeforeItsWorkers(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample());
    await(start(env, worker, options, script, request(TestGraphs.sample())));

    int engineDone = Math.max(indexOf(script, "ready vllm_worker ALL"), indexOf(script, "ready sglang_worker WORKERS"));
    assertTrue(engineDone < indexOf(script, "apply http_ingress ALL"), script.calls().toString());
    assertTrue(engineDone < indexOf(script, "apply batch_processor ALL"), script.calls().toString());
    assertTrue(indexOf(script, "ready sglang_worker LEADER") < indexOf(script, "apply sglang_worker WORKERS"));
  }

  @Test
  void aTargetThatHoldsStartsGetsTheNextWavesNewComponentsWithTheFirstWaveAndReleasesThemInTheirOwn(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample()).startsHeld();
    DeployResult result = await(start(env, worker, options, script, request(TestGraphs.sample())));

    assertEquals(Phase.READY, result.phase(), result.message());
    int firstWaveReady = Math.min(indexOf(script, "ready vllm_worker ALL"), indexOf(script, "ready sglang_worker LEADER"));
    assertTrue(indexOf(script, "apply-held http_ingress ALL") < firstWaveReady, script.calls().toString());
    assertTrue(indexOf(script, "apply-held batch_processor ALL") < firstWaveReady, script.calls().toString());
    int engineDone = Math.max(indexOf(script, "ready vllm_worker ALL"), indexOf(script, "ready sglang_worker WORKERS"));
    assertTrue(engineDone < indexOf(script, "apply http_ingress ALL"), "released only once the engines are ready: "
        + script.calls());
    assertEquals(1, script.calls().stream().filter(c -> c.startsWith("apply-held ")).filter(c -> c.contains("ingress"))
        .count(), "held once");
    // The four first applies were started together (2 engines + 2 held), the second wave's two together.
    assertEquals(Map.of("vllm_worker ALL", 4, "sglang_worker LEADER", 4, "held http_ingress ALL", 4,
        "held batch_processor ALL", 4, "sglang_worker WORKERS", 0, "http_ingress ALL", 2, "batch_processor ALL", 2),
        script.together());
  }

  @Test
  void heldStartsAreOnlyForComponentsTheDeployAddsAndOnlyWhereTheTargetCanHold(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities update = new ScriptedActivities(TestGraphs.sample()).startsHeld().live(1);
    assertEquals(Phase.READY, await(start(env, worker, options, update, request(TestGraphs.sample()))).phase());
    assertTrue(update.calls().stream().noneMatch(c -> c.startsWith("apply-held")),
        "an updated front end is replaced in its own wave, as before: " + update.calls());
  }

  @Test
  void aTargetThatCannotHoldGetsNoHeldApplies(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample());
    assertEquals(Phase.READY, await(start(env, worker, options, script, request(TestGraphs.sample()))).phase());
    assertTrue(script.calls().stream().noneMatch(c -> c.startsWith("apply-held")), script.calls().toString());
  }

  @Test
  void aFailedFirstWaveRollsBackTheHeldComponentsToo(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample()).startsHeld().fail("vllm_worker", "await");
    DeployResult result = await(start(env, worker, options, script, request(TestGraphs.sample())));

    assertEquals(Phase.ROLLED_BACK, result.phase());
    assertEquals(List.of("vllm_worker", "sglang_worker", "http_ingress", "batch_processor"),
        script.rollbacks().get(0).components(), "the first wave and the held second one");
    assertFalse(script.calls().contains("apply http_ingress ALL"), "never released");
  }

  @Test
  void aFailedFirstInstallRollsBackWhatItTouchedAndEndsRolledBack(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample()).fail("vllm_worker", "await");
    DeployResult result = await(start(env, worker, options, script, request(TestGraphs.sample())));

    assertEquals(Phase.ROLLED_BACK, result.phase());
    assertEquals(0, result.revision(), "nothing is live after a failed first install");
    assertTrue(result.message().startsWith("vllm_worker: pod vllm_worker-0: CrashLoopBackOff"), result.message());
    RollbackRequest rollback = script.rollbacks().get(0);
    assertEquals(1, rollback.failedRevision());
    assertEquals(0, rollback.previousRevision());
    assertEquals(List.of("vllm_worker", "sglang_worker"), rollback.components(), "the first wave only");
    assertFalse(script.calls().contains("apply http_ingress ALL"), "the second wave never started");
    assertEquals(ComponentPhase.ROLLED_BACK, result.progress().component("vllm_worker").phase());
    assertEquals(ComponentPhase.PENDING, result.progress().component("http_ingress").phase());
    assertFalse(script.calls().contains("record rev 1"));
  }

  @Test
  void aFailedUpdateRestoresThePreviousRevision(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample()).live(1).fail("http_ingress", "await");
    DeployResult result = await(start(env, worker, options, script, request(TestGraphs.sample())));

    assertEquals(Phase.ROLLED_BACK, result.phase());
    assertEquals(1, result.revision(), "revision 1 is live again");
    assertTrue(script.calls().contains("rollback rev 2 -> 1"), script.calls().toString());
    assertTrue(result.message().endsWith("rolled back to revision 1"), result.message());
  }

  @Test
  void aComponentNeverReadyTimesOutAndRollsBack(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.small()).neverReady("vllm_worker");
    DeployResult result = await(start(env, worker, options, script, request(TestGraphs.small())));

    assertEquals(Phase.TIMED_OUT, result.phase());
    assertTrue(result.message().contains("vllm_worker not ready after 30m"), result.message());
    assertTrue(script.calls().contains("rollback rev 1 -> 0"), script.calls().toString());
  }

  @Test
  void aRefusedPreflightFailsWithNothingAppliedAndNoRollback(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script =
        new ScriptedActivities(TestGraphs.sample()).preflightFails(DeployFailures.AUTHENTICATION_REFUSED);
    DeployResult result = await(start(env, worker, options, script, request(TestGraphs.sample())));

    assertEquals(Phase.FAILED, result.phase());
    assertTrue(result.message().startsWith("nothing was applied: scripted preflight refusal"), result.message());
    assertEquals(List.of("validate", "plan", "preflight"), script.calls());
  }

  @Test
  void aFailedRollbackEndsFailedWithNothingKnownLive(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script =
        new ScriptedActivities(TestGraphs.small()).live(4).fail("vllm_worker", "apply").rollbackFails();
    DeployResult result = await(start(env, worker, options, script, request(TestGraphs.small())));

    assertEquals(Phase.FAILED, result.phase());
    assertEquals(0, result.revision(), "unknown after a failed rollback");
    assertTrue(result.message().contains("rollback failed too (scripted rollback failure)"), result.message());
  }

  @Test
  void aCancelledDeployRollsBackAndEndsCancelled(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options)
      throws Exception {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.small()).block("vllm_worker");
    WorkflowStub stub = start(env, worker, options, script, request(TestGraphs.small()));
    awaitPhase(stub, Phase.WAITING);
    stub.cancel();
    DeployResult result = await(stub);

    assertEquals(Phase.CANCELLED, result.phase());
    assertEquals("cancelled by request; removed revision 1", result.message());
    assertEquals(List.of("vllm_worker"), script.rollbacks().get(0).components());
    assertTrue(env.getWorkflowClient().fetchHistory(stub.getExecution().getWorkflowId()).getEvents().stream()
        .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED));
    script.release("vllm_worker");
  }

  @Test
  void decisionsAreRefusedWhileTheDeployIsNotPaused(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options)
      throws Exception {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.small()).block("vllm_worker");
    WorkflowStub stub = start(env, worker, options, script, request(TestGraphs.small()));
    awaitPhase(stub, Phase.WAITING);
    Exception refused = assertThrows(Exception.class, () -> stub.update("retry", String.class));
    assertTrue(rootMessage(refused).contains("retry applies only to a paused deploy, and deploy dynamo-graph is WAITING"),
        rootMessage(refused));
    script.release("vllm_worker");
    assertEquals(Phase.READY, await(stub).phase());
  }

  // ---- pause on failure -----------------------------------------------------------------------------------------

  private static DeployRequest pausing(Duration timeout) {
    DeployRequest r = request(TestGraphs.small());
    return r.withOptions(r.options().pausingOnFailure(timeout));
  }

  @Test
  void pauseThenRetryRerunsOnlyWhatFailed(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options)
      throws Exception {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.small()).fail("http_ingress", "await");
    WorkflowStub stub = start(env, worker, options, script, pausing(null));
    DeployProgress paused = awaitPhase(stub, Phase.PAUSED);
    // the scripted target has no flags that name its place: its workflow ID does
    assertTrue(paused.message().endsWith(". Decide with `dynamo deploy retry|rollback|abort"
        + " deploy/scripted/lab/dynamo-graph`; rolls back by itself after 12h"), paused.message());
    assertEquals(ComponentPhase.FAILED, paused.component("http_ingress").phase());
    assertTrue(script.rollbacks().isEmpty(), "the failed state is kept");

    script.fix("http_ingress");
    assertEquals("retrying http_ingress of dynamo-graph revision 1 (components already ready are not touched)",
        stub.update("retry", String.class));
    DeployResult result = await(stub);
    assertEquals(Phase.READY, result.phase(), result.message());
    assertEquals(1, script.calls().stream().filter("apply vllm_worker ALL"::equals).count(), "the ready engine stays");
    assertEquals(2, script.calls().stream().filter("apply http_ingress ALL"::equals).count());
  }

  @Test
  void pauseThenRollbackOrAbort(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) throws Exception {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.small()).fail("http_ingress", "await");
    worker.registerActivitiesImplementations(script);
    env.start();
    WorkflowStub rolled = start(env.getWorkflowClient(), options, pausing(null));
    awaitPhase(rolled, Phase.PAUSED);
    assertEquals("rolling back dynamo-graph revision 1 (first install: removing it)",
        rolled.update("rollback", String.class));
    assertEquals(Phase.ROLLED_BACK, await(rolled).phase());

    WorkflowStub aborted = start(env.getWorkflowClient(), options, pausing(null));
    awaitPhase(aborted, Phase.PAUSED);
    aborted.update("abort", String.class);
    DeployResult result = await(aborted);
    assertEquals(Phase.FAILED, result.phase());
    assertTrue(result.message().startsWith("aborted while paused, nothing rolled back"), result.message());
    assertEquals(1, script.rollbacks().size(), "only the first was rolled back");
  }

  /**
   * A graph deployed in several places is ambiguous by name (the CLI refuses it), so the paused message, copied from
   * the Temporal UI or {@code status}, is a complete command for this place: the flags that pick and reach it,
   * shell-quoted; nothing else the deploy was started with (a pull secret's name, a partition).
   */
  @Test
  void thePausedMessageIsACompleteCommandForThisPlace(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) throws Exception {
    worker.registerActivitiesImplementations(new ScriptedActivities(TestGraphs.small()).fail("http_ingress", "await"));
    env.start();
    String decide = "paused: http_ingress: pod http_ingress-0: CrashLoopBackOff (exit code 1). Decide with"
        + " `dynamo deploy retry|rollback|abort ";
    String after = "`; rolls back by itself after 12h";

    TargetSpec k8s = new TargetSpec("k8s", "prod cluster/team-a", Map.of("namespace", "team-a", "context",
        "prod cluster", "imagePullSecrets", "regcred", "createNamespace", "true"));
    assertEquals(decide + "dynamo-graph --target k8s -n team-a --context 'prod cluster'" + after,
        pausedMessage(env, options, k8s));

    TargetSpec slurm = new TargetSpec("slurm", "alice@login1:22", Map.of("sshHost", "login-a", "sshConfig",
        "/home/alice/.ssh/config", "sshKey", "/home/alice/my keys/id_ed25519", "acceptNewHostKey", "true",
        "partition", "gpu"));
    assertEquals(decide + "dynamo-graph --target slurm --ssh-host login-a --ssh-config /home/alice/.ssh/config"
        + " --ssh-key '/home/alice/my keys/id_ed25519' --accept-new-host-key" + after,
        pausedMessage(env, options, slurm));

    // a kubeconfig's API server has no flag of its own: the workflow ID names the place
    TargetSpec server = new TargetSpec("k8s", "10.0.0.1:6443/llm", Map.of("namespace", "llm", "server",
        "https://10.0.0.1:6443"));
    assertEquals(decide + "deploy/k8s/10.0.0.1:6443/llm/dynamo-graph" + after, pausedMessage(env, options, server));
  }

  /** Starts a pausing deploy of the small graph to {@code place} on the running service; its PAUSED message. */
  private static String pausedMessage(TestWorkflowEnvironment env, WorkflowOptions options, TargetSpec place)
      throws InterruptedException {
    DeployRequest request = DeployRequest.of(TestGraphs.small(), place,
        WorkflowRuns.request(TestGraphs.small()).options().pausingOnFailure(null));
    WorkflowStub stub = start(env.getWorkflowClient(), options, request);
    String message = awaitPhase(stub, Phase.PAUSED).message();
    stub.update("abort", String.class);
    await(stub);
    return message;
  }

  @Test
  void aPauseNobodyAnswersRollsBackAfterThePauseTimeout(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.small()).fail("http_ingress", "await");
    DeployResult result = await(start(env, worker, options, script, pausing(Duration.ofMinutes(30))));

    assertEquals(Phase.ROLLED_BACK, result.phase());
    assertTrue(result.message().contains("(paused, no decision within 30m)"), result.message());
  }

  private static String rootMessage(Throwable e) {
    String message = e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause()) message = t.getMessage();
    return message;
  }
}

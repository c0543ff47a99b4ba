package ai.dynamo.deploy.workflows;

import static ai.dynamo.deploy.workflows.WorkflowRuns.await;
import static ai.dynamo.deploy.workflows.WorkflowRuns.awaitPhase;
import static ai.dynamo.deploy.workflows.WorkflowRuns.request;
import static ai.dynamo.deploy.workflows.WorkflowRuns.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.TestGraphs;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The abort of a paused deploy ({@link HeldJobsOnAbort}): nothing the revision started is rolled back, but the jobs
 * it submitted held for a wave that never came are cancelled, named in the abort's answer and its last message.
 */
@Timeout(60)
class AbortHeldJobsTest {
  @RegisterExtension
  final TestWorkflowExtension temporal =
      TestWorkflowExtension.newBuilder().registerWorkflowImplementationTypes(DeployWorkflowImpl.class)
          .setDoNotStart(true).build();

  private static final String ENGINE_FAILED = "vllm_worker: pod vllm_worker-0: CrashLoopBackOff (exit code 1)";

  @Test
  void anAbortCancelsTheHeldJobsOfTheWaveThatNeverCameAndNamesThem(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) throws Exception {
    // The engines (wave 1) fail; the front end and the batch job (wave 2) were submitted held with them.
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample()).startsHeld().fail("vllm_worker", "await");
    AbortEnd end = abort(env, worker, options, script, TestGraphs.sample());

    assertEquals("aborting dynamo-graph revision 1 without rollback; failed components stay as they are; the held"
        + " job(s) of http_ingress, batch_processor, which never started, are cancelled", end.answer);
    assertEquals(List.of(new CancelHeldRequest(1, List.of("http_ingress", "batch_processor"))), script.heldCancels());
    assertEquals(Phase.FAILED, end.result.phase());
    assertEquals("aborted while paused, nothing rolled back (what revision 1 applied is left as it is; no revision is"
        + " recorded; cancelled the held job(s) of http_ingress, batch_processor, which never started (job(s) 100,"
        + " 101)): " + ENGINE_FAILED, end.result.message());
    assertTrue(script.rollbacks().isEmpty(), "nothing rolled back: " + script.calls());
    assertFalse(script.calls().contains("apply http_ingress ALL"), "never released: " + script.calls());
    ComponentProgress ingress = component(end.result, "http_ingress");
    assertEquals("held job cancelled by the abort; it never started", ingress.message());
    assertEquals(ComponentPhase.FAILED, component(end.result, "vllm_worker").phase(), "the failed engine stays");
  }

  @Test
  void heldComponentsTheirOwnWaveReleasedAreNotCancelled(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) throws Exception {
    // The front end fails in wave 2: it and the batch job were held, then released by wave 2's applies.
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample()).startsHeld().fail("http_ingress", "await");
    AbortEnd end = abort(env, worker, options, script, TestGraphs.sample());

    assertTrue(script.calls().contains("apply-held http_ingress ALL"), script.calls().toString());
    assertTrue(script.calls().contains("apply http_ingress ALL"), "released: " + script.calls());
    assertTrue(script.heldCancels().isEmpty(), "what started stays as it is: " + script.calls());
    assertEquals("aborting dynamo-graph revision 1 without rollback; failed components stay as they are", end.answer);
    assertEquals("aborted while paused, nothing rolled back (what revision 1 applied is left as it is; no revision is"
        + " recorded): http_ingress: pod http_ingress-0: CrashLoopBackOff (exit code 1)", end.result.message());
  }

  /**
   * The front end's releasing apply fails in wave 2: its job was submitted held and may still be held, so the abort
   * cancels it too (the target cancels only a job it finds still held). The batch job's release succeeded: it stays.
   */
  @Test
  void aHeldComponentWhoseReleasingApplyFailedIsCancelledToo(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) throws Exception {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample()).startsHeld().fail("http_ingress", "apply");
    AbortEnd end = abort(env, worker, options, script, TestGraphs.sample());

    assertTrue(script.calls().contains("apply http_ingress ALL"), "its release was tried: " + script.calls());
    assertTrue(script.calls().contains("apply batch_processor ALL"), script.calls().toString());
    assertEquals(List.of(new CancelHeldRequest(1, List.of("http_ingress"))), script.heldCancels());
    assertEquals("aborting dynamo-graph revision 1 without rollback; failed components stay as they are; the held"
        + " job(s) of http_ingress, which never started, are cancelled", end.answer);
    assertTrue(end.result.message().contains("cancelled the held job(s) of http_ingress, which never started"),
        end.result.message());
    assertEquals("held job cancelled by the abort; it never started", component(end.result, "http_ingress").message());
  }

  @Test
  void anAbortWithoutHeldComponentsEndsAsBefore(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options)
      throws Exception {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample()).fail("vllm_worker", "await");
    AbortEnd end = abort(env, worker, options, script, TestGraphs.sample());

    assertTrue(script.calls().stream().noneMatch(c -> c.startsWith("apply-held") || c.startsWith("cancel-held")),
        script.calls().toString());
    assertEquals("aborting dynamo-graph revision 1 without rollback; failed components stay as they are", end.answer);
    assertEquals(Phase.FAILED, end.result.phase());
    assertEquals("aborted while paused, nothing rolled back (what revision 1 applied is left as it is; no revision is"
        + " recorded): " + ENGINE_FAILED, end.result.message());
  }

  @Test
  void aFailedCancelIsReportedWithTheComponentsLeftAndTheOriginalFailure(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) throws Exception {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample()).startsHeld().fail("vllm_worker", "await")
        .cancelHeldFails();
    AbortEnd end = abort(env, worker, options, script, TestGraphs.sample());

    assertEquals(1, script.heldCancels().size(), script.calls().toString());
    assertEquals(Phase.FAILED, end.result.phase());
    assertEquals("aborted while paused, nothing rolled back (what revision 1 applied is left as it is; no revision is"
        + " recorded; cancelling the held job(s) of http_ingress, batch_processor, which never started, failed"
        + " (scripted: login node unreachable), so they may still be queued or hold their nodes: cancel them by"
        + " hand): " + ENGINE_FAILED, end.result.message());
    assertTrue(script.rollbacks().isEmpty(), script.calls().toString());
  }

  private record AbortEnd(String answer, DeployResult result) {}

  /** Deploys {@code graph} pausing on failure, aborts it once paused: the abort's answer and the deploy's end. */
  private static AbortEnd abort(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options,
      ScriptedActivities script, Graph graph) throws InterruptedException {
    DeployRequest r = request(graph);
    WorkflowStub stub = start(env, worker, options, script, r.withOptions(r.options().pausingOnFailure(null)));
    awaitPhase(stub, Phase.PAUSED);
    String answer = stub.update("abort", String.class);
    return new AbortEnd(answer, await(stub));
  }

  private static ComponentProgress component(DeployResult result, String name) {
    return result.progress().components().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }
}

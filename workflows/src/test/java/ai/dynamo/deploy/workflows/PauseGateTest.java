package ai.dynamo.deploy.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.TestGraphs;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pause gate's validators and decisions, on a board of its own (no workflow needed for these). */
class PauseGateTest {
  private final ProgressBoard board = new ProgressBoard(WorkflowRuns.request(TestGraphs.small()), 0);
  private final PauseGate gate = new PauseGate(new ProgressPublisher(board), DeployOptions.defaults("me"),
      WorkflowRuns.request(TestGraphs.small()).target());

  private String refusal(String what) {
    return assertThrows(IllegalStateException.class, () -> gate.requirePaused(what)).getMessage();
  }

  @Test
  void aDecisionIsRefusedWithTheReasonUnlessTheDeployIsPaused() {
    board.phase(Phase.WAITING, "waiting", 1);
    assertEquals("retry applies only to a paused deploy, and deploy dynamo-graph is WAITING: it has not failed; to"
        + " stop it use `dynamo deploy cancel deploy/scripted/lab/dynamo-graph` (which rolls back)", refusal("retry"));
    board.phase(Phase.ROLLED_BACK, "over", 2);
    assertEquals("abort applies only to a paused deploy, and deploy dynamo-graph is ROLLED_BACK: it has ended",
        refusal("abort"));
  }

  @Test
  void theCancelItSuggestsPicksThisPlace() {
    TargetSpec k8s = new TargetSpec("k8s", "prod east/llm", Map.of("namespace", "llm", "context", "prod east"));
    ProgressBoard running =
        new ProgressBoard(DeployRequest.of(TestGraphs.small(), k8s, DeployOptions.defaults("me")), 0);
    running.phase(Phase.WAITING, "waiting", 1);
    PauseGate k8sGate = new PauseGate(new ProgressPublisher(running), DeployOptions.defaults("me"), k8s);
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> k8sGate.requirePaused("abort"));
    assertTrue(refused.getMessage().endsWith("to stop it use `dynamo deploy cancel dynamo-graph --target k8s -n llm"
        + " --context 'prod east'` (which rolls back)"), refused.getMessage());
  }

  @Test
  void aPausedDeployTakesOneDecisionAndSaysWhatItWillDo() {
    board.revision(1, 1);
    board.component("http_ingress", ComponentPhase.FAILED, 0, 2, "CrashLoopBackOff", 2);
    board.phase(Phase.PAUSED, "paused", 3);
    gate.requirePaused("retry");
    assertEquals("retrying http_ingress of dynamo-graph revision 1 (components already ready are not touched)",
        gate.retry());
    assertEquals("rollback refused: deploy dynamo-graph already has a decision (retry)", refusal("rollback"));
  }

  @Test
  void rollbackAndAbortNameTheRevisions() {
    board.revision(3, 1);
    assertEquals("rolling back dynamo-graph revision 3 to revision 2", gate.rollback());
    assertEquals("aborting dynamo-graph revision 3 without rollback; failed components stay as they are",
        gate.abort());
    board.revision(1, 2);
    assertEquals("rolling back dynamo-graph revision 1 (first install: removing it)", gate.rollback());
  }
}

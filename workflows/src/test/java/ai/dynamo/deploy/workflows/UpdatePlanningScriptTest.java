package ai.dynamo.deploy.workflows;

import static ai.dynamo.deploy.workflows.WorkflowRuns.await;
import static ai.dynamo.deploy.workflows.WorkflowRuns.request;
import static ai.dynamo.deploy.workflows.WorkflowRuns.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.TestGraphs;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-component updates as the workflow sees them (activities scripted): nothing to do ends READY at once without
 * applying or recording; only changed components are applied, with their strategy; removed components show as
 * REMOVED once recorded; a rollback is told the plan and touches only what the new revision changed.
 */
@Timeout(60)
class UpdatePlanningScriptTest {
  @RegisterExtension
  final TestWorkflowExtension temporal =
      TestWorkflowExtension.newBuilder().registerWorkflowImplementationTypes(DeployWorkflowImpl.class)
          .setDoNotStart(true).build();

  private static final String[] ALL = {"vllm_worker", "sglang_worker", "http_ingress", "batch_processor"};

  @Test
  void nothingChangedEndsReadyAtOnceWithoutApplyingOrRecording(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample()).live(2).unchanged(ALL);
    DeployResult result = await(start(env, worker, options, script, request(TestGraphs.sample())));

    assertEquals(Phase.READY, result.phase(), result.message());
    assertEquals(2, result.revision(), "the live revision stays; no new one");
    assertEquals(List.of("validate", "plan", "preflight", "plan update"), script.calls());
    assertTrue(script.records().isEmpty());
    assertTrue(result.message().startsWith("unchanged: revision 2 is live and healthy (4 components)"),
        result.message());
    assertEquals(2, result.progress().revision());
    for (ComponentProgress c : result.progress().components()) {
      assertEquals(ComponentPhase.READY, c.phase(), c.toString());
      assertEquals("unchanged", c.change(), c.toString());
    }
  }

  @Test
  void onlyChangedComponentsAreAppliedWithTheirStrategyAndRemovedOnesGoAfterTheRecord(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample()).live(2)
        .unchanged("vllm_worker", "sglang_worker").removed("old_router").strategy(UpdateStrategy.RECREATE);
    DeployResult result = await(start(env, worker, options, script, request(TestGraphs.sample())));

    assertEquals(Phase.READY, result.phase(), result.message());
    assertEquals(3, result.revision());
    assertFalse(script.calls().stream().anyMatch(c -> c.contains("vllm_worker") || c.contains("sglang_worker")),
        "unchanged components are neither applied nor awaited: " + script.calls());
    assertTrue(script.calls().contains("apply http_ingress ALL"), script.calls().toString());
    assertEquals(UpdateStrategy.RECREATE, script.appliedChanges().get("http_ingress").strategy());
    assertEquals(3, script.records().get(0).revision());
    assertEquals("unchanged", result.progress().component("vllm_worker").change());
    assertEquals("updated (recreate): spec changed",
        result.progress().component("http_ingress").change());
    assertEquals("updated (recreate)", ComponentChange.label(result.progress().component("http_ingress").change()));
    assertEquals(ComponentPhase.REMOVED, result.progress().component("old_router").phase());
    assertEquals("removed", result.progress().component("old_router").change());
    assertTrue(result.message().contains("2 unchanged, 2 updated, 1 removed"), result.message());
  }

  @Test
  void aRollbackIsToldThePlanAndTouchesOnlyWhatChanged(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample()).live(1)
        .unchanged("vllm_worker", "sglang_worker", "batch_processor").strategy(UpdateStrategy.RECREATE)
        .fail("http_ingress", "await");
    DeployResult result = await(start(env, worker, options, script, request(TestGraphs.sample())));

    assertEquals(Phase.ROLLED_BACK, result.phase(), result.message());
    assertEquals(1, result.revision());
    RollbackRequest rollback = script.rollbacks().get(0);
    assertEquals(List.of("http_ingress"), rollback.components(), "unchanged components are not rolled back");
    assertTrue(rollback.change("http_ingress").recreates());
    assertEquals(null, rollback.change("vllm_worker"), "an untouched component is not in the rollback's input");
    assertEquals(ComponentPhase.READY, result.progress().component("vllm_worker").phase());
  }

  @Test
  void aFirstInstallAddsEverything(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample());
    DeployResult result = await(start(env, worker, options, script, request(TestGraphs.sample())));

    assertEquals(Phase.READY, result.phase(), result.message());
    assertEquals("added", result.progress().component("http_ingress").change());
    assertNull(script.appliedChanges().get("http_ingress").strategy());
  }
}

package ai.dynamo.deploy.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.TestGraphs;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Rollback} on its own, inside a workflow that touches components and rolls back. */
class RollbackTest {
  @WorkflowInterface
  public interface Probe {
    /** Touches {@code touched}, rolls back revision 3 (2 was live) and returns "outcome|failed". */
    @WorkflowMethod
    String run(DeployRequest request, List<String> touched);
  }

  public static class ProbeImpl implements Probe {
    @Override
    public String run(DeployRequest request, List<String> touched) {
      ProgressPublisher progress = ProgressPublisher.start(request);
      Rollback rollback = new Rollback(progress, new DeploySteps("g", "t"), 2, 3, Duration.ofMinutes(5));
      touched.forEach(rollback::touched);
      touched.forEach(rollback::touched); // touching twice counts once
      String outcome = rollback.undoDetached("because");
      return outcome + "|" + rollback.failed();
    }
  }

  @RegisterExtension
  final TestWorkflowExtension temporal =
      TestWorkflowExtension.newBuilder().registerWorkflowImplementationTypes(ProbeImpl.class).setDoNotStart(true)
          .build();

  private static String run(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options,
      ScriptedActivities script, List<String> touched) {
    worker.registerActivitiesImplementations(script);
    env.start();
    Probe probe = env.getWorkflowClient().newWorkflowStub(Probe.class, options);
    return WorkflowClient.execute(probe::run, WorkflowRuns.request(TestGraphs.small()), touched).join();
  }

  @Test
  void nothingTouchedIsNothingToRollBack(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.small());
    assertEquals("nothing to roll back|false", run(env, worker, options, script, List.of()));
    assertTrue(script.calls().isEmpty(), "no activity: " + script.calls());
  }

  @Test
  void whatWasTouchedIsRolledBackToThePreviousRevision(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.small());
    assertEquals("rolled back to revision 2|false",
        run(env, worker, options, script, List.of("vllm_worker", "http_ingress")));
    assertEquals(List.of(new RollbackRequest(3, 2, List.of("vllm_worker", "http_ingress"), "because")),
        script.rollbacks());
  }

  @Test
  void aFailedRollbackSaysSoAndIsRemembered(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedActivities script = new ScriptedActivities(TestGraphs.small()).rollbackFails();
    assertEquals("rollback failed too (scripted rollback failure); clean up by hand or run the deploy again|true",
        run(env, worker, options, script, List.of("vllm_worker")));
  }
}

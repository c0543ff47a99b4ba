package ai.dynamo.deploy.workflows;

import static ai.dynamo.deploy.workflows.WorkflowRuns.await;
import static ai.dynamo.deploy.workflows.WorkflowRuns.request;
import static ai.dynamo.deploy.workflows.WorkflowRuns.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.TestGraphs;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The uninstall workflow with its activity scripted; and a deploy after an uninstall numbering on. */
@Timeout(60)
class UninstallWorkflowTest {
  @RegisterExtension
  final TestWorkflowExtension temporal =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(DeployWorkflowImpl.class, UninstallWorkflowImpl.class)
          .setDoNotStart(true).build();

  static final TargetSpec LAB = new TargetSpec("scripted", "lab", Map.of("location", "lab"));

  /** The Uninstall activity as a script: answers, refuses (non-retryable), or blocks until released. */
  static final class ScriptedUninstall implements UninstallActivities {
    final List<UninstallRequest> requests = new CopyOnWriteArrayList<>();
    volatile String refusal;
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean blocks;

    @Override
    public String uninstall(UninstallRequest request) {
      requests.add(request);
      if (refusal != null) throw ApplicationFailure.newNonRetryableFailure(refusal, DeployFailures.PREFLIGHT_FAILED);
      if (blocks) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return "cancelled 3 job(s)";
    }
  }

  static WorkflowStub startUninstall(WorkflowClient client, WorkflowOptions options, UninstallRequest request) {
    UninstallWorkflow workflow = client.newWorkflowStub(UninstallWorkflow.class, WorkflowOptions.newBuilder(options)
        .setWorkflowId(DeployIds.workflowId("scripted", "lab", request.graph())).build());
    WorkflowClient.start(workflow::uninstall, request);
    return WorkflowStub.fromTyped(workflow);
  }

  @Test
  void endsUninstalledSayingWhatWent(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedUninstall script = new ScriptedUninstall();
    worker.registerActivitiesImplementations(script);
    env.start();
    WorkflowStub stub = startUninstall(env.getWorkflowClient(), options, new UninstallRequest("g", LAB, true, "op@ws"));
    DeployResult result = await(stub);
    assertEquals(Phase.UNINSTALLED, result.phase(), result.message());
    assertEquals("g uninstalled from scripted@lab: cancelled 3 job(s)", result.message());
    assertEquals(Phase.UNINSTALLED, WorkflowRuns.progress(stub).phase());
    assertEquals(List.of(new UninstallRequest("g", LAB, true, "op@ws")), script.requests);
  }

  @Test
  void aRefusalEndsFailedWithTheTargetsReason(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    ScriptedUninstall script = new ScriptedUninstall();
    script.refusal = "forbidden (403): cannot delete deployments";
    worker.registerActivitiesImplementations(script);
    env.start();
    DeployResult result = await(startUninstall(env.getWorkflowClient(), options,
        new UninstallRequest("g", LAB, false, "op@ws")));
    assertEquals(Phase.FAILED, result.phase());
    assertEquals("uninstall of g from scripted@lab failed: forbidden (403): cannot delete deployments",
        result.message());
    assertEquals(1, script.requests.size(), "a non-retryable refusal is not retried");
  }

  @Test
  void cancelledWhileRemovingEndsCancelled(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options)
      throws InterruptedException {
    ScriptedUninstall script = new ScriptedUninstall();
    script.blocks = true;
    worker.registerActivitiesImplementations(script);
    env.start();
    WorkflowStub stub = startUninstall(env.getWorkflowClient(), options, new UninstallRequest("g", LAB, false, "op"));
    WorkflowRuns.awaitPhase(stub, Phase.UNINSTALLING);
    stub.cancel();
    DeployResult result = await(stub);
    script.release.countDown();
    assertEquals(Phase.CANCELLED, result.phase(), result.message());
    assertTrue(result.message().contains("what was removed stays removed"), result.message());
  }

  @Test
  void aDeployAfterAnUninstallNumbersOnAndHasNothingToRestore(
      TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    // Records keep revisions 1..3 (the last one uninstalled); nothing is live.
    ScriptedActivities script = new ScriptedActivities(TestGraphs.sample()).last(3).fail("http_ingress", "await");
    DeployResult result = await(start(env, worker, options, script, request(TestGraphs.sample())));
    assertEquals(Phase.ROLLED_BACK, result.phase(), result.message());
    RollbackRequest rollback = script.rollbacks().get(0);
    assertEquals(4, rollback.failedRevision(), "numbers go on after the records' last revision");
    assertEquals(0, rollback.previousRevision(), "nothing was live: the failed revision is removed, none restored");
  }
}

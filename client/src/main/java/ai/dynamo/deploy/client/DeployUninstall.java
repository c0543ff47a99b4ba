package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.TargetLabels;
import ai.dynamo.deploy.workflows.TargetSpec;
import ai.dynamo.deploy.workflows.UninstallRequest;
import ai.dynamo.deploy.workflows.UninstallWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowExecutionDescription;
import java.util.Set;

/**
 * Starts {@code dynamo deploy uninstall}: the uninstall workflow, with the deploy's own workflow ID, so Temporal
 * itself refuses it while a deploy of the graph runs at that place (and this says which command stops that one).
 */
public final class DeployUninstall {
  private DeployUninstall() {}

  /**
   * @param target the place and the settings that reach it (the deploy's, from its memo, or the flags)
   * @param registered registered search attribute names, or null to ask the server
   * @return the uninstall run
   * @throws DeployRefusedException while a deploy (or an uninstall) of the graph runs there
   */
  public static DeployStarter.Started start(WorkflowClient client, String graph, TargetSpec target,
      boolean keepHistory, String startedBy, Set<String> registered) {
    String workflowId = DeployIds.workflowId(target.kind(), target.location(), graph);
    WorkflowExecutionDescription running = DeployStarter.describeRunning(client, workflowId);
    if (running != null) throw busy(RunningDeploy.of(client, running));
    Set<String> keys = registered != null ? registered : DeployStarter.registeredSearchAttributes(client);
    UninstallWorkflow workflow = client.newWorkflowStub(UninstallWorkflow.class,
        DeployStarter.options(workflowId, "uninstall " + graph + " from " + TargetLabels.of(target), graph, target,
            null, Phase.UNINSTALLING, keys).build());
    try {
      WorkflowExecution run =
          WorkflowClient.start(workflow::uninstall, new UninstallRequest(graph, target, keepHistory, startedBy));
      return new DeployStarter.Started(workflowId, run.getRunId(), false);
    } catch (WorkflowExecutionAlreadyStarted e) {
      // Started between the look and the start: Temporal refused it, as it should.
      throw busy(new RunningDeploy(workflowId, e.getExecution().getRunId(), "", null, null, null));
    }
  }

  private static DeployRefusedException busy(RunningDeploy held) {
    return new DeployRefusedException(held.what() + "; uninstall removes a graph that is not being deployed: "
        + (held.paused() ? held.nextSteps() + ", or `dynamo deploy cancel " + held.workflowId() + "` (it rolls back)"
            : "stop it first with `dynamo deploy cancel " + held.workflowId() + "` (it rolls back), or wait for it with"
                + " `dynamo deploy status " + held.workflowId() + " --wait`"));
  }
}

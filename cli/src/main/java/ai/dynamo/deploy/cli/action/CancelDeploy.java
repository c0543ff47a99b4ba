package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowTargetOptions;

/**
 * Requests cancellation of a running deploy. The workflow handles the cancellation by rolling back (to the
 * previous revision, or removing what a first install created), so this never leaves a half-applied graph.
 */
public final class CancelDeploy {
  private final WorkflowClient client;

  public CancelDeploy(WorkflowClient client) {
    this.client = client;
  }

  /** @return the run that was asked to cancel */
  public String cancel(String workflowId, String reason) {
    WorkflowStub stub = client.newUntypedWorkflowStub(workflowId);
    WorkflowExecutionDescription d = DeployStatus.describe(stub, workflowId);
    if (d.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      throw new UserError(ExitCodes.INVALID,
          "error: deploy " + workflowId + " is not running (it ended: "
              + d.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", "") + ")");
    }
    String runId = d.getExecution().getRunId();
    client.newUntypedWorkflowStub(WorkflowTargetOptions.newBuilder().setWorkflowId(workflowId).setRunId(runId).build())
        .cancel(reason);
    return runId;
  }
}

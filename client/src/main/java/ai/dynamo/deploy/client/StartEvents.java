package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.StartEvent;
import io.temporal.client.WorkflowClient;

/** The {@link DeployRequest} a run was started with, read from its first history event (one small call). */
public final class StartEvents {
  private StartEvents() {}

  /** @param runId the run, or null for the latest */
  public static DeployRequest request(WorkflowClient client, String workflowId, String runId) {
    return StartEvent.request(
        client.getWorkflowServiceStubs().blockingStub().getWorkflowExecutionHistory(
            StartEvent.call(client.getOptions().getNamespace(), workflowId, runId)),
        client.getOptions().getDataConverter());
  }
}

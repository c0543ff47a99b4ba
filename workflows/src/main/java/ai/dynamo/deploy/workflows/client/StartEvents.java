package ai.dynamo.deploy.workflows.client;

import ai.dynamo.deploy.workflows.DeployRequest;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.client.WorkflowClient;
import java.util.Optional;

/** The {@link DeployRequest} a run was started with, read from its first history event (one small call). */
public final class StartEvents {
  private StartEvents() {}

  public static DeployRequest request(WorkflowClient client, String workflowId, String runId) {
    GetWorkflowExecutionHistoryRequest call =
        GetWorkflowExecutionHistoryRequest.newBuilder()
            .setNamespace(client.getOptions().getNamespace())
            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId).setRunId(runId == null ? "" : runId))
            .setMaximumPageSize(1)
            .build();
    HistoryEvent first =
        client.getWorkflowServiceStubs().blockingStub().getWorkflowExecutionHistory(call).getHistory().getEvents(0);
    Payloads input = first.getWorkflowExecutionStartedEventAttributes().getInput();
    return client.getOptions().getDataConverter()
        .fromPayloads(0, Optional.of(input), DeployRequest.class, DeployRequest.class);
  }
}

package ai.dynamo.deploy.workflows;

import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.common.converter.DataConverter;
import java.util.Optional;

/**
 * Part of the contract of {@link DeployActivities}: a deploy's {@link DeployRequest} is the input of its run's first
 * history event, and activities and clients read it from there (one small call) rather than carrying the IR around.
 * Pure: this builds the call and decodes the answer; the caller makes the call.
 */
public final class StartEvent {
  private StartEvent() {}

  /** The history call that returns only a run's first event ({@code runId} empty or null: the latest run). */
  public static GetWorkflowExecutionHistoryRequest call(String namespace, String workflowId, String runId) {
    return GetWorkflowExecutionHistoryRequest.newBuilder()
        .setNamespace(namespace)
        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId).setRunId(runId == null ? "" : runId))
        .setMaximumPageSize(1)
        .build();
  }

  /** The request the run was started with, from the answer to {@link #call}. */
  public static DeployRequest request(GetWorkflowExecutionHistoryResponse answer, DataConverter converter) {
    Payloads input = answer.getHistory().getEvents(0).getWorkflowExecutionStartedEventAttributes().getInput();
    return converter.fromPayloads(0, Optional.of(input), DeployRequest.class, DeployRequest.class);
  }
}

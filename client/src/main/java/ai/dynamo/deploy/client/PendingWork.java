package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployIds;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import java.time.Duration;

/** Why a short run did not answer in time: no worker took it, or its activity keeps failing (with the last cause). */
final class PendingWork {
  private PendingWork() {}

  static String why(WorkflowClient client, WorkflowExecution run, Duration waited) {
    DescribeWorkflowExecutionResponse d;
    try {
      d = client.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
          DescribeWorkflowExecutionRequest.newBuilder().setNamespace(client.getOptions().getNamespace())
              .setExecution(run).build());
    } catch (RuntimeException e) {
      return "no answer within " + human(waited);
    }
    for (PendingActivityInfo a : d.getPendingActivitiesList()) {
      if (a.hasLastFailure() && !a.getLastFailure().getMessage().isBlank()) {
        return a.getLastFailure().getMessage() + " (attempt " + a.getAttempt() + "; still failing after "
            + human(waited) + ")";
      }
      return "the worker did not finish within " + human(waited) + " (activity " + a.getActivityType().getName()
          + ", attempt " + a.getAttempt() + ")";
    }
    return "no dynamo worker took the request within " + human(waited) + " (task queue " + DeployIds.TASK_QUEUE
        + "; start one with 'dynamo worker', or run 'dynamo server')";
  }

  private static String human(Duration d) {
    return ai.dynamo.deploy.workflows.Durations.human(d);
  }
}

package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployDiff;
import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DiffWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.UUID;

/**
 * {@code dynamo deploy diff} (client side): runs a {@link DiffWorkflow} for the request, whose one activity plans
 * exactly as a deploy's {@code PlanUpdate} does and diffs the rendered files against the live revision's. Read-only:
 * nothing is applied or recorded. Its workflow ID, {@code diff/<deploy workflow ID>/<uuid>}, never meets a deploy's.
 */
public final class DeployDiffs {
  private DeployDiffs() {}

  /** The request is not valid for its target (a setting, a strategy for a component the graph lacks): exit 2. */
  public static final class InvalidRequestException extends DeployRefusedException {
    public InvalidRequestException(String message) {
      super(message);
    }
  }

  public static DeployDiff diff(WorkflowClient client, DeployRequest request) {
    String deploy = DeployIds.workflowId(request.target().kind(), request.target().location(), request.graph().name());
    DiffWorkflow workflow = client.newWorkflowStub(DiffWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId("diff/" + deploy + "/" + UUID.randomUUID())
            .setTaskQueue(DeployIds.TASK_QUEUE)
            .setWorkflowExecutionTimeout(Duration.ofMinutes(20))
            .setStaticSummary("diff " + request.graph().name() + " against its live revision")
            .build());
    try {
      return workflow.diff(request);
    } catch (WorkflowFailedException e) {
      ApplicationFailure cause = null;
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof ApplicationFailure af) cause = af;
      }
      String message = cause == null ? e.getMessage() : cause.getOriginalMessage();
      if (cause != null && DeployFailures.INVALID_IR.equals(cause.getType())) {
        throw new InvalidRequestException(message);
      }
      throw new IllegalStateException("diff of " + request.graph().name() + " failed: " + message, e);
    }
  }
}

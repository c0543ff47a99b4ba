package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployDiff;
import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DiffWorkflow;
import ai.dynamo.deploy.workflows.TargetLabels;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
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

  /**
   * Runs the diff, waiting at most {@code wait} for its answer (the verbs' request bound): a target that cannot be
   * reached (or no worker) ends the call with {@link TargetUnreachableException} naming the cause, never a silent
   * wait; the run is then terminated.
   */
  public static DeployDiff diff(WorkflowClient client, DeployRequest request, Duration wait) {
    String deploy = DeployIds.workflowId(request.target().kind(), request.target().location(), request.graph().name());
    String where = TargetLabels.of(request.target());
    DiffWorkflow workflow = client.newWorkflowStub(DiffWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId("diff/" + deploy + "/" + UUID.randomUUID())
            .setTaskQueue(DeployIds.TASK_QUEUE)
            // the server ends it even when this client is gone
            .setWorkflowExecutionTimeout(wait.plus(Duration.ofMinutes(1)))
            .setStaticSummary("diff " + request.graph().name() + " against its live revision")
            .build());
    WorkflowClient.start(workflow::diff, request);
    try {
      return BoundedRead.await(client, WorkflowStub.fromTyped(workflow), wait, DeployDiff.class,
          "cannot diff " + request.graph().name() + " on " + where);
    } catch (WorkflowFailedException e) {
      String message = BoundedRead.rootMessage(e);
      if (DeployFailures.INVALID_IR.equals(BoundedRead.rootType(e))) throw new InvalidRequestException(message);
      throw new IllegalStateException("diff of " + request.graph().name() + " failed: " + message, e);
    }
  }
}

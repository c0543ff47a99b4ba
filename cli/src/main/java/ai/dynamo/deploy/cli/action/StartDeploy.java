package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.common.SearchAttributes;
import java.util.Map;
import java.util.Optional;

/**
 * Starts a deploy, or attaches to the one already running with the same spec. One deploy of a graph runs at a
 * time per place: the workflow ID is {@link DeployIds#workflowId}, started with
 * {@link WorkflowIdConflictPolicy#WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}; a running deploy with a different spec
 * is refused.
 */
public final class StartDeploy {
  /** Memo key holding the spec digest of the run. */
  public static final String MEMO_SPEC_DIGEST = DeploySearchAttributes.MEMO_SPEC_DIGEST;

  private final WorkflowClient client;

  public StartDeploy(WorkflowClient client) {
    this.client = client;
  }

  /**
   * @param workflowId the deploy's workflow ID
   * @param runId its run
   * @param attached true when a run with the same spec was already going and this call attached to it
   */
  public record Started(String workflowId, String runId, boolean attached) {}

  /**
   * @param withSearchAttributes set the typed search attributes (only when the server has them registered: a start
   *     carrying unregistered attributes is rejected)
   * @throws UserError ({@link ExitCodes#INVALID}) when a deploy with a different spec is running
   */
  public Started start(Graph graph, TargetChoice target, DeployOptions options, boolean withSearchAttributes) {
    String workflowId = target.workflowId(graph.name());
    String digest = SpecDigest.of(graph, target.spec());
    Optional<WorkflowExecutionDescription> running = describeOpen(workflowId);
    running.ifPresent(run -> refuseIfDifferent(run, digest, graph, target));

    WorkflowOptions.Builder workflowOptions =
        WorkflowOptions.newBuilder()
            .setWorkflowId(workflowId)
            .setTaskQueue(DeployIds.TASK_QUEUE)
            .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
            .setMemo(Map.of(MEMO_SPEC_DIGEST, digest))
            .setStaticSummary("deploy " + graph.name() + " -> " + target.kind() + "@" + target.location());
    if (withSearchAttributes) {
      workflowOptions.setTypedSearchAttributes(
          SearchAttributes.newBuilder()
              .set(DeploySearchAttributes.GRAPH, graph.name())
              .set(DeploySearchAttributes.TARGET, target.kind() + "@" + target.location())
              .set(DeploySearchAttributes.PHASE, "VALIDATING")
              .set(DeploySearchAttributes.REVISION, 0L)
              .build());
    }
    DeployWorkflow workflow = client.newWorkflowStub(DeployWorkflow.class, workflowOptions.build());
    DeployRequest request = new DeployRequest(graph, digest, target.spec(), options);
    WorkflowExecution execution = WorkflowClient.start(workflow::deploy, request);

    // Another client may have started a different spec between our check and our start: USE_EXISTING then
    // returned that run. Check the run we got.
    WorkflowExecutionDescription started = client.newUntypedWorkflowStub(workflowId, Optional.of(execution.getRunId()), Optional.empty()).describe();
    refuseIfDifferent(started, digest, graph, target);
    boolean attached =
        running.isPresent() && running.get().getExecution().getRunId().equals(execution.getRunId());
    return new Started(workflowId, execution.getRunId(), attached);
  }

  /** The open run with this ID, if any. */
  Optional<WorkflowExecutionDescription> describeOpen(String workflowId) {
    try {
      WorkflowExecutionDescription d = client.newUntypedWorkflowStub(workflowId).describe();
      return d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING ? Optional.of(d) : Optional.empty();
    } catch (WorkflowNotFoundException e) {
      return Optional.empty();
    }
  }

  private static void refuseIfDifferent(
      WorkflowExecutionDescription run, String digest, Graph graph, TargetChoice target) {
    if (run.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) return;
    Object runningDigest = run.getMemo(MEMO_SPEC_DIGEST, String.class);
    if (digest.equals(runningDigest)) return;
    String id = run.getExecution().getWorkflowId();
    throw new UserError(
        ExitCodes.INVALID,
        "error: another deploy of "
            + graph.name()
            + " to "
            + target.kind()
            + "@"
            + target.location()
            + " is running with a different spec (workflow "
            + id
            + ", run "
            + run.getExecution().getRunId()
            + ", started "
            + run.getStartTime()
            + ").\nWatch it:  dynamo deploy status "
            + id
            + " --wait\nCancel it (rolls back): dynamo deploy cancel "
            + id);
  }
}

package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.TargetRecords;
import ai.dynamo.deploy.workflows.TargetSpec;
import ai.dynamo.deploy.workflows.client.DecisionRejectedException;
import ai.dynamo.deploy.workflows.client.DeployDecisions;
import ai.dynamo.deploy.workflows.client.DeployRecords;
import ai.dynamo.deploy.workflows.client.DeployStarter;
import ai.dynamo.deploy.workflows.client.StartEvents;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import java.util.List;

/**
 * The verbs of operating rollouts ({@code retry}, {@code rollback}, {@code abort}, {@code history}) on top of the
 * engine's client helpers ({@link DeployDecisions}, {@link DeployRecords}); a decision that does not apply becomes a
 * usage error with the workflow's reason.
 */
public final class DecideDeploy {
  private final WorkflowClient client;

  public DecideDeploy(WorkflowClient client) {
    this.client = client;
  }

  /** One line of output and the run now acting. */
  public record Result(String message, String workflowId, String runId) {}

  /** Retry: a paused deploy re-runs what failed; an ended failed one runs again as a new run. */
  public Result retry(String workflowId, String startedBy) {
    DeployDecisions.Outcome o = rejectedAsUsage(() -> DeployDecisions.retry(client, workflowId, startedBy, null));
    return new Result(o.message(), o.workflowId(), o.runId());
  }

  /** Abort a paused deploy: it ends without rollback. */
  public Result abort(String workflowId) {
    DeployDecisions.Outcome o = rejectedAsUsage(() -> DeployDecisions.decide(client, workflowId, "abort"));
    return new Result(o.message(), o.workflowId(), o.runId());
  }

  /**
   * Rollback: without a revision, a running (paused) deploy gets the rollback decision; otherwise, and with
   * {@code --to-revision N}, the recorded revision (default: the previous one) is deployed again.
   *
   * @param target how to reach the target; null: the one the deploy's last run used
   */
  public Result rollback(String workflowId, TargetSpec target, int toRevision, DeployOptions options) {
    if (toRevision <= 0 && running(workflowId)) {
      DeployDecisions.Outcome o = rejectedAsUsage(() -> DeployDecisions.decide(client, workflowId, "rollback"));
      return new Result(o.message(), o.workflowId(), o.runId());
    }
    TargetSpec where = target != null ? target : lastTarget(workflowId);
    String graph = graphOf(workflowId);
    DeployStarter.Started s =
        rejectedAsUsage(() -> DeployRecords.rollbackTo(client, graph, where, toRevision, options, null));
    String what = toRevision > 0 ? "revision " + toRevision : "the previous revision";
    return new Result((s.attached() ? "Attached to running deploy " : "Rolling back " + graph + " to " + what
        + ": started deploy ") + s.workflowId() + " (run " + s.runId() + ")", s.workflowId(), s.runId());
  }

  /** The graph's revisions from the target's own records. */
  public List<RevisionEntry> history(String workflowId, TargetSpec target) {
    TargetSpec where = target != null ? target : lastTarget(workflowId);
    TargetRecords records = rejectedAsUsage(() -> DeployRecords.read(client, graphOf(workflowId), where, 0));
    return records.history();
  }

  private TargetSpec lastTarget(String workflowId) {
    try {
      DeployRequest last = StartEvents.request(client, workflowId, null);
      return last.target();
    } catch (RuntimeException e) {
      throw new UserError(ExitCodes.INVALID, "error: no deploy " + workflowId + " is known to Temporal; name the graph"
          + " with its target flags (--target, --ssh-host, ...) to read the target's records");
    }
  }

  static String graphOf(String workflowId) {
    return workflowId.substring(workflowId.lastIndexOf('/') + 1);
  }

  private static <T> T rejectedAsUsage(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (DecisionRejectedException e) {
      throw new UserError(ExitCodes.INVALID, "error: " + e.getMessage());
    }
  }

  /** Whether a run of the workflow ID is running now. */
  private boolean running(String workflowId) {
    try {
      return client.newUntypedWorkflowStub(workflowId).describe().getStatus()
          == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    } catch (RuntimeException e) {
      return false; // never ran, or not visible: there is nothing running to decide on
    }
  }
}

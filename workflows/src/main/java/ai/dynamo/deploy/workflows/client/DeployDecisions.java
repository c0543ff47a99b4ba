package ai.dynamo.deploy.workflows.client;

import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import java.util.Optional;
import java.util.Set;

/**
 * Decisions on a deploy, client side: {@code retry}, {@code rollback}, {@code abort} as Temporal Updates on a
 * paused run (the workflow's validators reject them, with the reason, when they do not apply), and
 * {@link #retry} of a deploy that has already ended failed (a new run of the same request).
 */
public final class DeployDecisions {
  private DeployDecisions() {}

  /**
   * @param workflowId the deploy's workflow ID
   * @param runId the run now acting on it
   * @param message what happens now
   * @param newRun true when a new run was started (retry of an ended deploy), false for a decision on a paused run
   */
  public record Outcome(String workflowId, String runId, String message, boolean newRun) {}

  /** Sends {@code retry}, {@code rollback} or {@code abort} to the running deploy; rejected when it is not paused. */
  public static Outcome decide(WorkflowClient client, String workflowId, String decision) {
    WorkflowExecutionDescription running = DeployStarter.describeRunning(client, workflowId);
    if (running == null) {
      throw new DecisionRejectedException(decision + " applies only to a paused deploy, and no deploy of "
          + graphOf(workflowId) + " is running (" + workflowId + ")");
    }
    String runId = running.getExecution().getRunId();
    WorkflowStub stub = client.newUntypedWorkflowStub(workflowId, Optional.of(runId), Optional.empty());
    try {
      return new Outcome(workflowId, runId, stub.update(decision, String.class), false);
    } catch (WorkflowUpdateException e) {
      throw new DecisionRejectedException(DeployRecords.rootMessage(e));
    }
  }

  /**
   * {@code dynamo deploy retry}: a paused deploy re-runs what failed (Update); a deploy that ended failed, rolled
   * back, timed out, cancelled or terminated starts again as a new run with the same request (read from the last
   * run's start event), resuming where it failed: the target checks components whose live state already matches
   * the spec instead of applying them again ({@code DeployTarget.isCurrent}).
   *
   * @param startedBy who retries (recorded in the revision); null keeps the original
   * @param registered registered search attribute names, or null to ask the server
   */
  public static Outcome retry(WorkflowClient client, String workflowId, String startedBy, Set<String> registered) {
    WorkflowStub latest = client.newUntypedWorkflowStub(workflowId);
    WorkflowExecutionDescription d;
    try {
      d = latest.describe();
    } catch (RuntimeException e) {
      if (DeployStarter.describeRunning(client, workflowId) == null) {
        throw new DecisionRejectedException("no deploy of " + graphOf(workflowId) + " to retry (" + workflowId + ")");
      }
      throw e;
    }
    String runId = d.getExecution().getRunId();
    if (d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      return decide(client, workflowId, "retry");
    }
    if (d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      throw new DecisionRejectedException("the last deploy of " + graphOf(workflowId) + " ended READY (run " + runId
          + "): nothing to retry");
    }
    DeployRequest previous = StartEvents.request(client, workflowId, runId);
    DeployRequest again = startedBy == null ? previous
        : new DeployRequest(previous.graph(), previous.specDigest(), previous.target(),
            previous.options().withStartedBy(startedBy));
    DeployStarter.Started started = DeployStarter.startOrAttach(client, again, registered);
    return new Outcome(workflowId, started.runId(), "retrying " + graphOf(workflowId) + " as run " + started.runId()
        + " (the run before ended " + statusName(d.getStatus()) + ")", true);
  }

  /** The phase of a running deploy (from its progress query), or null when it cannot be asked. */
  public static Phase phaseOf(WorkflowClient client, String workflowId) {
    try {
      DeployProgress p = client.newUntypedWorkflowStub(workflowId).query("progress", DeployProgress.class);
      return p == null ? null : p.phase();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String statusName(WorkflowExecutionStatus s) {
    return s.name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase();
  }

  static String graphOf(String workflowId) {
    return workflowId.substring(workflowId.lastIndexOf('/') + 1);
  }
}

package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.TargetSpec;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowTargetOptions;
import io.temporal.client.WorkflowUpdateException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Decisions on a deploy, client side: {@code retry}, {@code rollback}, {@code abort} as Temporal Updates on a
 * paused run (the workflow's validators reject them, with the reason, when they do not apply); {@link #retry} of a
 * deploy that has already ended failed (a new run of the same request); {@link #rollback} to a recorded revision;
 * and {@link #cancel}, which the workflow answers by rolling back.
 */
public final class DeployDecisions {
  private DeployDecisions() {}

  /** The workflow type of an uninstall run (under the deploy's own workflow ID). */
  static final String UNINSTALL = "uninstall";

  /**
   * @param workflowId the deploy's workflow ID
   * @param runId the run now acting on it
   * @param message what happens now
   * @param newRun true when a new run was started (retry of an ended deploy, rollback to a revision), false for a
   *     decision on a paused run
   */
  public record Outcome(String workflowId, String runId, String message, boolean newRun) {}

  /** Sends {@code retry}, {@code rollback} or {@code abort} to the running deploy; rejected when it is not paused. */
  public static Outcome decide(WorkflowClient client, String workflowId, String decision) {
    WorkflowExecutionDescription running = DeployStarter.describeRunning(client, workflowId);
    if (running == null) {
      throw new DecisionRejectedException(decision + " applies only to a paused deploy, and no deploy of "
          + DeployIds.graphOf(workflowId) + " is running (" + workflowId + ")");
    }
    String runId = running.getExecution().getRunId();
    if (UNINSTALL.equals(running.getWorkflowType())) {
      throw new DecisionRejectedException(decision + " applies only to a paused deploy, and " + DeployIds.graphOf(
          workflowId) + " is being uninstalled (" + workflowId + ", run " + runId + ")");
    }
    WorkflowStub stub = client.newUntypedWorkflowStub(workflowId, Optional.of(runId), Optional.empty());
    try {
      return new Outcome(workflowId, runId, stub.update(decision, String.class), false);
    } catch (WorkflowUpdateException e) {
      throw new DecisionRejectedException(BoundedRead.rootMessage(e));
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
        throw new DecisionRejectedException(
            "no deploy of " + DeployIds.graphOf(workflowId) + " to retry (" + workflowId + ")");
      }
      throw e;
    }
    String runId = d.getExecution().getRunId();
    if (d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      return decide(client, workflowId, "retry");
    }
    if (UNINSTALL.equals(d.getWorkflowType())) {
      throw new DecisionRejectedException("the last run of " + DeployIds.graphOf(workflowId) + " was an uninstall (run "
          + runId + "): nothing to retry; deploy it again with `dynamo deploy -f FILE`, or a recorded revision with"
          + " `dynamo deploy rollback " + workflowId + " --to-revision N`");
    }
    if (d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      throw new DecisionRejectedException("the last deploy of " + DeployIds.graphOf(workflowId) + " ended READY (run "
          + runId + "): nothing to retry");
    }
    DeployRequest previous = StartEvents.request(client, workflowId, runId);
    DeployRequest again =
        startedBy == null ? previous : previous.withOptions(previous.options().withStartedBy(startedBy));
    DeployStarter.Started started = DeployStarter.startOrAttach(client, again, registered);
    return new Outcome(workflowId, started.runId(), "retrying " + DeployIds.graphOf(workflowId) + " as run "
        + started.runId() + " (the run before ended " + statusName(d.getStatus()) + ")", true);
  }

  /**
   * {@code dynamo deploy rollback}: without a revision, a running (paused) deploy gets the rollback decision;
   * otherwise, and with a revision, the recorded revision (0: the one before the live one) is deployed again.
   *
   * @param target how to reach the target; null: the one the deploy's last run used
   */
  public static Outcome rollback(
      WorkflowClient client, String workflowId, TargetSpec target, int toRevision, DeployOptions options) {
    return rollback(client, workflowId, target, toRevision, options, DeployRecords.DEFAULT_WAIT);
  }

  /** As above, waiting at most {@code wait} for the target's records. */
  public static Outcome rollback(WorkflowClient client, String workflowId, TargetSpec target, int toRevision,
      DeployOptions options, Duration wait) {
    if (toRevision <= 0 && DeployStarter.describeRunning(client, workflowId) != null) {
      return decide(client, workflowId, "rollback");
    }
    TargetSpec where = target != null ? target : DeployRecords.lastTarget(client, workflowId);
    String graph = DeployIds.graphOf(workflowId);
    DeployStarter.Started s = DeployRecords.rollbackTo(client, graph, where, toRevision, options, null, wait);
    String what = toRevision > 0 ? "revision " + toRevision : "the previous revision";
    return new Outcome(s.workflowId(), s.runId(), (s.attached() ? "Attached to running deploy " : "Rolling back "
        + graph + " to " + what + ": started deploy ") + s.workflowId() + " (run " + s.runId() + ")", !s.attached());
  }

  /**
   * Asks the running deploy to stop; the workflow rolls back what it applied (to the previous revision, or removing
   * what a first install created), so this never leaves a half-applied graph.
   *
   * @return the run that was asked to cancel
   */
  public static String cancel(WorkflowClient client, String workflowId, String reason) {
    WorkflowExecutionDescription d = DeployStatus.describe(client.newUntypedWorkflowStub(workflowId), workflowId);
    if (d.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      throw new DeployRefusedException(
          "deploy " + workflowId + " is not running (it ended: " + statusName(d.getStatus()).toUpperCase() + ")");
    }
    String runId = d.getExecution().getRunId();
    client.newUntypedWorkflowStub(WorkflowTargetOptions.newBuilder().setWorkflowId(workflowId).setRunId(runId).build())
        .cancel(reason);
    return runId;
  }

  private static String statusName(WorkflowExecutionStatus s) {
    return s.name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase();
  }
}

package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;

/**
 * The run that holds a deploy's place, in the words a refusal needs: a paused deploy is said to be paused (at which
 * revision, why) with the decisions that free the place, never "running"; a running one with its phase and how to
 * wait for or cancel it. Commands name the workflow ID, which picks the place without further flags.
 *
 * @param workflowId the deploy's workflow ID
 * @param runId the open run
 * @param type {@code deploy} or {@code uninstall}
 * @param phase its phase, null when no worker answered
 * @param revision the revision it creates, null when unknown
 * @param message its last message, null when unknown
 */
record RunningDeploy(String workflowId, String runId, String type, Phase phase, Integer revision, String message) {
  /** What the run's progress says (a query), else its {@code DynamoPhase} search attribute. */
  static RunningDeploy of(WorkflowClient client, WorkflowExecutionDescription running) {
    String workflowId = running.getExecution().getWorkflowId();
    String runId = running.getExecution().getRunId();
    DeployProgress p = "deploy".equals(running.getWorkflowType())
        ? DeployWatcher.live(client, workflowId, runId).orElse(null) : null;
    if (p != null) return new RunningDeploy(workflowId, runId, running.getWorkflowType(), p.phase(), p.revision(),
        p.message());
    String phase = running.getTypedSearchAttributes().get(DeploySearchAttributes.PHASE);
    return new RunningDeploy(workflowId, runId, running.getWorkflowType(), phase == null ? null : Phase.valueOf(phase),
        null, null);
  }

  boolean paused() {
    return phase == Phase.PAUSED;
  }

  /** e.g. {@code a deploy of g is paused, waiting for a decision (deploy/..., run R, revision 3: why)}. */
  String what() {
    String graph = DeployIds.graphOf(workflowId);
    if (DeployDecisions.UNINSTALL.equals(type)) {
      return "an uninstall of " + graph + " is running (" + workflowId + ", run " + runId + ")";
    }
    if (paused()) {
      return "a deploy of " + graph + " is paused, waiting for a decision (" + workflowId + ", run " + runId
          + (revision == null || revision == 0 ? "" : ", revision " + revision)
          + (message == null || message.isBlank() ? "" : ": " + message) + ")";
    }
    return "a deploy of " + graph + " is running (" + workflowId + ", run " + runId
        + (phase == null ? "" : ", phase " + phase) + ")";
  }

  /** The commands that free the place. */
  String nextSteps() {
    if (paused()) {
      return "decide it first: `dynamo deploy retry " + workflowId + "` re-runs what failed, `dynamo deploy rollback "
          + workflowId + "` rolls it back now, `dynamo deploy abort " + workflowId + "` ends it leaving what it"
          + " applied as it is (`dynamo deploy status " + workflowId + "` shows what failed)";
    }
    return "wait for it with `dynamo deploy status " + workflowId + " --wait` or cancel it with `dynamo deploy cancel "
        + workflowId + "` (it rolls back)";
  }
}

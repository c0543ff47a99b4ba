package ai.dynamo.deploy.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Deploys one graph to one place, durably: validate, render, preflight, apply in waves, wait for readiness
 * (leader before workers in multi-node groups), record the revision; roll back on failure.
 *
 * <p>Workflow ID: {@link DeployIds#workflowId}. Task queue: {@link DeployIds#TASK_QUEUE}.
 */
@WorkflowInterface
public interface DeployWorkflow {

  /** Runs the deploy to its end and returns how it ended. */
  @WorkflowMethod(name = "deploy")
  DeployResult deploy(DeployRequest request);

  /** Current progress, for {@code dynamo deploy status} and {@code --wait}. */
  @QueryMethod(name = "progress")
  DeployProgress progress();
}

package ai.dynamo.deploy.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Deploys one graph to one place, durably: validate, render, preflight, apply in waves, wait for readiness
 * (leader before workers in multi-node groups), record the revision; roll back on failure, or pause for a
 * decision ({@link OnFailure#PAUSE}).
 *
 * <p>Workflow ID: {@link DeployIds#workflowId}. Task queue: {@link DeployIds#TASK_QUEUE}.
 *
 * <p>Decisions on a paused deploy are Temporal Updates; each has a validator that rejects it, with the reason,
 * when the deploy is not paused (nothing is written to the history for a rejected update).
 */
@WorkflowInterface
public interface DeployWorkflow {

  /** Runs the deploy to its end and returns how it ended. */
  @WorkflowMethod(name = "deploy")
  DeployResult deploy(DeployRequest request);

  /** Current progress, for {@code dynamo deploy status} and {@code --wait}. */
  @QueryMethod(name = "progress")
  DeployProgress progress();

  /** Paused: re-runs what failed (components already READY are not touched). Returns what it will do. */
  @UpdateMethod(name = "retry")
  String retry();

  @UpdateValidatorMethod(updateName = "retry")
  void validateRetry();

  /** Paused: rolls back now, as {@code --on-failure rollback} would have. */
  @UpdateMethod(name = "rollback")
  String rollback();

  @UpdateValidatorMethod(updateName = "rollback")
  void validateRollback();

  /** Paused: ends the deploy without rolling back, leaving everything as it is (failed components included). */
  @UpdateMethod(name = "abort")
  String abort();

  @UpdateValidatorMethod(updateName = "abort")
  void validateAbort();
}

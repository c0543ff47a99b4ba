package ai.dynamo.deploy.workflows;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * {@code dynamo deploy diff}: what a deploy of the request would do, read-only. A workflow because only workers
 * reach targets; it validates the request and runs one {@code Diff} activity, which plans exactly as a deploy's
 * {@code PlanUpdate} does. Its input is the {@link DeployRequest} itself, so the activity reads it from the start
 * event like every deploy activity.
 */
@WorkflowInterface
public interface DiffWorkflow {
  @WorkflowMethod(name = "diff")
  DeployDiff diff(DeployRequest request);
}

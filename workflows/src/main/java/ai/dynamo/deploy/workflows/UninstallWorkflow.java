package ai.dynamo.deploy.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Removes everything a graph runs at one place ({@code dynamo deploy uninstall}), durably and visibly in the
 * Temporal UI. Started with the deploy's own workflow ID ({@link DeployIds#workflowId}), so Temporal itself refuses
 * it while a deploy of the graph runs there, and {@code status}, {@code list} and the UI show it as that deploy's
 * latest run.
 *
 * <p>Ends like a deploy: {@link Phase#UNINSTALLED} returns a {@link DeployResult}; a failure fails the workflow with
 * an {@code ApplicationFailure} of type {@link DeployFailures#DEPLOY_FAILED} carrying the {@link DeployResult}.
 */
@WorkflowInterface
public interface UninstallWorkflow {

  @WorkflowMethod(name = "uninstall")
  DeployResult uninstall(UninstallRequest request);

  /** The same query as a deploy's, so status and --wait follow an uninstall like a deploy. */
  @QueryMethod(name = "progress")
  DeployProgress progress();
}

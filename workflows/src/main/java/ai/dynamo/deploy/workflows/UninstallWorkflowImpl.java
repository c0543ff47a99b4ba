package ai.dynamo.deploy.workflows;

import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;

/**
 * One {@code Uninstall} activity between two published phases: {@link Phase#UNINSTALLING}, then
 * {@link Phase#UNINSTALLED} or {@link Phase#FAILED}. Progress, UI details and search attributes go through the
 * same {@link ProgressPublisher} as a deploy's.
 */
public class UninstallWorkflowImpl implements UninstallWorkflow {
  private ProgressPublisher progress;

  @Override
  public DeployResult uninstall(UninstallRequest request) {
    progress = ProgressPublisher.start(request.asDeployRequest());
    String where = progress.target();
    progress.enter(Phase.UNINSTALLING, "removing " + request.graph() + " from " + where
        + (request.keepHistory() ? " (keeping its revision records)" : ""));
    UninstallActivities target = Workflow.newActivityStub(UninstallActivities.class,
        ActivityOptions.newBuilder(ActivityPolicies.uninstall())
            .setSummary("uninstall " + request.graph() + " from " + where).build());
    String removed;
    try {
      removed = target.uninstall(request);
    } catch (ActivityFailure e) {
      if (CancellationScope.current().isCancelRequested()) {
        progress.enter(Phase.CANCELLED, "uninstall cancelled; what was removed stays removed (run it again to finish)");
        throw new CanceledFailure("cancelled by request");
      }
      String message = "uninstall of " + request.graph() + " from " + where + " failed: " + FailureReasons.reason(e);
      progress.enter(Phase.FAILED, message);
      throw ApplicationFailure.newNonRetryableFailure(message, DeployFailures.DEPLOY_FAILED,
          new DeployResult(Phase.FAILED, 0, message, progress.snapshot()));
    }
    progress.enter(Phase.UNINSTALLED, request.graph() + " uninstalled from " + where + ": " + removed);
    return new DeployResult(Phase.UNINSTALLED, 0, progress.snapshot().message(), progress.snapshot());
  }

  @Override
  public DeployProgress progress() {
    return progress == null ? null : progress.snapshot();
  }
}

package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.workflows.DeployWorkflows;
import io.temporal.worker.Worker;

/**
 * What a deploy worker serves: the deploy workflows and their activities over a set of targets. The one registration
 * that a production worker ({@code DeployRegistration}), the warm-up's rehearsal ({@link WorkerRehearsal}) and the
 * tests' {@code DeployEnvironment} share, so that a rehearsal or a test runs what a worker runs.
 */
public final class DeployServing {
  private DeployServing() {}

  public static void register(Worker worker, DeployTargets targets) {
    worker.registerWorkflowImplementationTypes(DeployWorkflows.implementations());
    worker.registerActivitiesImplementations(new DeployActivitiesImpl(targets));
  }
}

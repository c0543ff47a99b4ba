package ai.dynamo.deploy.worker;

import ai.dynamo.deploy.activities.DeployActivitiesImpl;
import ai.dynamo.deploy.activities.DeployTargets;
import ai.dynamo.deploy.activities.k8s.K8sTarget;
import ai.dynamo.deploy.activities.k8s.KubeClients;
import ai.dynamo.deploy.activities.slurm.SlurmTarget;
import ai.dynamo.deploy.workflows.DeployWorkflowImpl;
import ai.dynamo.deploy.workflows.TargetRecordsWorkflowImpl;
import io.temporal.worker.Worker;
import java.util.Map;

/**
 * What a dynamo worker registers: the deploy workflow, the records workflow (history, rollback --to-revision) and
 * their activities, bound to the targets it serves. The
 * fake target (scriptable, for tests and demos) is registered only when {@code DYNAMO_ENABLE_FAKE_TARGET=1}
 * (see {@link DeployTargets#registerFakeIfEnabled}).
 */
public final class DeployRegistration {
  /** Environment variable that enables the fake target on a worker. */
  public static final String ENABLE_FAKE_TARGET = DeployTargets.ENABLE_FAKE_ENV;

  private final DeployTargets targets;

  public DeployRegistration(DeployTargets targets) {
    this.targets = targets;
  }

  /** The targets of a production worker, plus the fake one when the environment enables it. */
  public static DeployRegistration fromEnvironment(Map<String, String> env) {
    return new DeployRegistration(
        new DeployTargets().register(new K8sTarget()).register(new SlurmTarget()).registerFakeIfEnabled(env));
  }

  /**
   * Where the Kubernetes target finds its cluster (kubeconfig, in-cluster service account, or nothing), for the
   * worker's start-up line.
   */
  public String kubernetesConfiguration() {
    return KubeClients.describeDefault();
  }

  public boolean fakeTargetEnabled() {
    return targets.has("fake");
  }

  void register(Worker worker) {
    worker.registerWorkflowImplementationTypes(DeployWorkflowImpl.class, TargetRecordsWorkflowImpl.class);
    worker.registerActivitiesImplementations(new DeployActivitiesImpl(targets));
  }
}

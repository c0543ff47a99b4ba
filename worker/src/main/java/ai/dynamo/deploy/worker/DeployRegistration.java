package ai.dynamo.deploy.worker;

import ai.dynamo.deploy.activities.DeployServing;
import ai.dynamo.deploy.activities.DeployTarget;
import ai.dynamo.deploy.activities.DeployTargets;
import ai.dynamo.deploy.activities.WorkerWarmUp;
import ai.dynamo.deploy.activities.k8s.K8sTarget;
import ai.dynamo.deploy.activities.k8s.KubeClients;
import ai.dynamo.deploy.activities.slurm.SlurmTarget;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import java.util.Set;

/**
 * What a dynamo worker registers: the deploy workflow, the records workflow (history, rollback --to-revision) and
 * their activities, bound to the targets it serves: Kubernetes and Slurm, plus any target a jar on the class path
 * contributes ({@link DeployTargets#contributed}; none in the shipped jar, the fake target in tests).
 */
public final class DeployRegistration {
  private final DeployTargets targets;

  public DeployRegistration(DeployTargets targets) {
    this.targets = targets;
  }

  /** A worker serving exactly these targets (tests, embedding programs). */
  public static DeployRegistration of(DeployTarget... targets) {
    DeployTargets registry = new DeployTargets();
    for (DeployTarget target : targets) registry.register(target);
    return new DeployRegistration(registry);
  }

  /** The targets of a production worker: Kubernetes, Slurm, and contributed ones. */
  public static DeployRegistration production() {
    DeployTargets registry = new DeployTargets().register(new K8sTarget()).register(new SlurmTarget());
    DeployTargets.contributed().forEach(registry::register);
    return new DeployRegistration(registry);
  }

  /** The target kinds served, e.g. {@code [k8s, slurm]}. */
  public Set<String> kinds() {
    return targets.kinds();
  }

  /**
   * Where the Kubernetes target finds its cluster (kubeconfig, in-cluster service account, or nothing), for the
   * worker's start-up line.
   */
  public String kubernetesConfiguration() {
    return KubeClients.describeDefault();
  }

  /**
   * Warms up the workflow code and these targets before the worker polls ({@link WorkerWarmUp}); nothing is sent to
   * {@code client}'s service (the rehearsal deploy runs on a private one in this process) or to any cluster.
   */
  public WorkerWarmUp.Report warmUp(WorkflowClient client) {
    return WorkerWarmUp.run(client, targets);
  }

  void register(Worker worker) {
    DeployServing.register(worker, targets);
  }
}

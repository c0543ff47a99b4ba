package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.DeployActivitiesImpl;
import ai.dynamo.deploy.activities.DeployTargets;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.DeployWorkflowImpl;
import ai.dynamo.deploy.workflows.client.DeployOutcomes;
import ai.dynamo.deploy.workflows.client.DeployStarter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * A mock cluster that serves LeaderWorkerSet, with both simulated controllers running in namespace
 * {@link K8sGraphs#NS}, a Kubernetes target on it, and Temporal's test service with one worker serving the deploy
 * workflow on that target. Closes all of it but the cluster.
 */
final class K8sWorkflowHarness implements AutoCloseable {
  final SimulatedController controller;
  final SimulatedLeaderWorkerSets lws;
  final K8sTarget target;
  private final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
  private final WorkflowClient client;

  /** @param targetClient the client the target uses (the simulators use the cluster's own) */
  K8sWorkflowHarness(MockCluster cluster, KubernetesClient targetClient) {
    SimulatedLeaderWorkerSets.installCrd(cluster.client);
    controller = new SimulatedController(cluster.client, K8sGraphs.NS).start();
    lws = new SimulatedLeaderWorkerSets(cluster.client, K8sGraphs.NS).start();
    target = new K8sTarget(KubeClients.of(targetClient), Clock.systemUTC());
    Worker worker = env.newWorker(DeployIds.TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(DeployWorkflowImpl.class);
    worker.registerActivitiesImplementations(new DeployActivitiesImpl(new DeployTargets().register(target)));
    env.start();
    client = env.getWorkflowClient();
  }

  /** Deploys the graph to namespace {@link K8sGraphs#NS} with these settings and waits for the end, however it ends. */
  DeployResult deploy(Graph graph, Map<String, String> settings) {
    return deploy(K8sGraphs.request(graph, settings));
  }

  DeployResult deploy(DeployRequest request) {
    DeployStarter.Started started = DeployStarter.startOrAttach(client, request);
    WorkflowStub stub = client.newUntypedWorkflowStub(started.workflowId(), Optional.of(started.runId()), Optional.empty());
    return DeployOutcomes.await(stub);
  }

  @Override
  public void close() {
    env.close();
    target.close();
    lws.close();
    controller.close();
  }
}

package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.testing.k8s.SimulatedController;
import org.junit.jupiter.api.extension.RegisterExtension;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.IMAGE;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.NS;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.ComponentPhase;
import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End to end through the deploy workflow: a Temporal test service, a worker with the Kubernetes target registered,
 * the mock API server and the simulated controller.
 */
@Timeout(180)
class K8sDeployWorkflowTest {
  // Ordered: the Temporal environment (and its workers) closes before the cluster they talk to.
  @RegisterExtension @Order(1) final MockCluster cluster = K8sGraphs.cluster();
  @RegisterExtension @Order(2) final DeployEnvironment env = K8sGraphs.deploys(cluster);
  private final SimulatedController controller = cluster.controller();

  private DeployResult deploy(Graph graph) {
    return K8sGraphs.deploy(env, K8sGraphs.request(graph, Map.of()));
  }

  /** Kind/name -> labels and spec of every object of graph g. */
  private Map<String, String> objects() {
    Map<String, String> out = new TreeMap<>();
    for (HasMetadata o : new ServerSideApplier(cluster.client, NS, false, d -> {}).owned("g")) {
      Object spec = K8sPreflight.template(o) != null ? K8sPreflight.template(o)
          : ((io.fabric8.kubernetes.api.model.Service) o).getSpec();
      out.put(ManifestSet.key(o), new TreeMap<>(o.getMetadata().getLabels()) + " " + ManifestSet.SERIALIZATION.asJson(spec));
    }
    return out;
  }

  @Test
  void revisionOneBecomesReadyAndAFailingRevisionTwoIsRolledBackToIt() {
    Graph v1 = K8sGraphs.graph("g", K8sGraphs.engine(IMAGE), K8sGraphs.group(IMAGE), K8sGraphs.frontend(IMAGE));
    DeployResult first = deploy(v1);
    assertEquals(Phase.READY, first.phase(), first.message());
    assertEquals(1, first.revision());
    for (ComponentProgress c : first.progress().components()) {
      assertEquals(ComponentPhase.READY, c.phase(), c.name());
      assertEquals(c.desired(), c.ready(), c.name());
    }
    assertNotNull(cluster.client.secrets().inNamespace(NS).withName("dynamo-deploy.g.v1").get(), "revision 1 recorded");
    Map<String, String> revisionOne = objects();
    assertEquals(2 + 1 + 4, revisionOne.size(), revisionOne.keySet().toString());

    // Revision 2: a new engine image that crash-loops, a new group image still starting when the engine fails
    // (the Java test server can stick a workflow that cancels a wait in the very task in which that wait
    // completes: see docs/workflow.md), and a new batch component.
    Graph v2 = K8sGraphs.graph("g", K8sGraphs.engine(IMAGE + "-next:crashloop"),
        K8sGraphs.group(IMAGE + "-next:pending"), K8sGraphs.frontend(IMAGE), K8sGraphs.batch(IMAGE));
    DeployResult second = deploy(v2);
    assertEquals(Phase.ROLLED_BACK, second.phase(), second.message());
    assertTrue(second.message().contains("CrashLoopBackOff"), second.message());
    assertTrue(second.message().contains("restored revision 1"), second.message());
    assertEquals(1, second.revision(), "revision 1 is live");

    assertEquals(revisionOne, objects(), "revision 1's objects are intact, revision 2's additions are gone");
    io.fabric8.kubernetes.api.model.Secret failedRecord =
        cluster.client.secrets().inNamespace(NS).withName("dynamo-deploy.g.v2").get();
    assertTrue(RevisionStore.isRolledBack(failedRecord), "revision 2 is recorded as rolled back");
    assertFalse(failedRecord.getData().containsKey(RevisionStore.MANIFESTS_KEY), "with no objects to restore");
    assertEquals(1, new RevisionStore(cluster.client, NS).current("g"));

    // The next successful deploy reuses number 2 and replaces the rolled-back record.
    Graph v3 = K8sGraphs.graph("g", K8sGraphs.engine(IMAGE + "-3"), K8sGraphs.group(IMAGE), K8sGraphs.frontend(IMAGE));
    DeployResult third = deploy(v3);
    assertEquals(Phase.READY, third.phase(), third.message());
    assertEquals(2, third.revision());
    assertFalse(RevisionStore.isRolledBack(cluster.client.secrets().inNamespace(NS).withName("dynamo-deploy.g.v2").get()));
    assertEquals(2, new RevisionStore(cluster.client, NS).current("g"));
  }

  @Test
  void transientApiErrorsAreRetriedAndTheDeployStillBecomesReady() {
    // The API server fails the first applies of the front end (500, then a resource-version 409) and the first
    // list of the revision records; the activities' retry policy carries the deploy through.
    cluster.api.failNext("PATCH", "/deployments/g-frontend", 500, 1);
    cluster.api.failNext("PATCH", "/deployments/g-frontend", 409, 1);
    cluster.api.failNext("GET", "/secrets?labelSelector", 500, 1);
    DeployResult result = deploy(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE)));
    assertEquals(Phase.READY, result.phase(), result.message());
    long frontendApplies = cluster.api.requests().stream()
        .filter(r -> r.startsWith("PATCH") && r.contains("/deployments/g-frontend?")).count();
    assertTrue(frontendApplies >= 3, "two failed applies, then one that worked: " + frontendApplies);
  }

  @Test
  void aFailedFirstInstallLeavesNothingBehind() {
    Graph graph = K8sGraphs.graph("g", K8sGraphs.engine(IMAGE + "-next:badpull"), K8sGraphs.frontend(IMAGE));
    DeployResult result = deploy(graph);
    assertEquals(Phase.ROLLED_BACK, result.phase(), result.message());
    assertTrue(result.message().contains("ImagePullBackOff"), result.message());
    assertEquals(Map.of(), objects());
  }

  @Test
  void aMissingSecretStopsTheDeployBeforeAnythingIsApplied() {
    cluster.client.secrets().inNamespace(NS).withName("hf-token").delete();
    DeployResult result = deploy(K8sGraphs.graph("g", K8sGraphs.engine(IMAGE)));
    assertEquals(Phase.FAILED, result.phase());
    assertTrue(result.message().contains("Secret hf-token is missing"), result.message());
    assertEquals(Map.of(), objects());
  }
}

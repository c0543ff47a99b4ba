package ai.dynamo.deploy.activities.k8s;

import static ai.dynamo.deploy.activities.k8s.K8sGraphs.IMAGE;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.NS;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.testing.k8s.SimulatedLeaderWorkerSets;
import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code multinode=lws} through the deploy workflow on Temporal's test service, against the mock API server with the
 * LeaderWorkerSet CRD and {@link SimulatedLeaderWorkerSets}: deploy, a failing revision rolled back to the previous
 * LeaderWorkerSet, history, and removal (a failed first install, a component leaving the graph, a switch from
 * StatefulSets). There is no {@code uninstall} verb: removing objects is what rollback and pruning do.
 */
@Timeout(180)
class K8sLeaderWorkerSetWorkflowTest {
  private static final String LWS_NAME = "g-sglang-group-lws";
  // Ordered: the Temporal environment (its workers, then the target) closes before the cluster they talk to.
  @RegisterExtension @Order(1) final MockCluster cluster = K8sGraphs.cluster().withLeaderWorkerSets(NS);
  private final K8sTarget target = K8sGraphs.target(cluster.client);
  @RegisterExtension @Order(2) final DeployEnvironment env = DeployEnvironment.serving(target);
  private final SimulatedLeaderWorkerSets lws = cluster.leaderWorkerSets();

  private DeployResult deploy(Graph graph, Map<String, String> settings) {
    return K8sGraphs.deploy(env, K8sGraphs.request(graph, settings));
  }

  private GenericKubernetesResource liveLws() {
    return cluster.client.genericKubernetesResources(LeaderWorkerSetApi.CONTEXT).inNamespace(NS).withName(LWS_NAME).get();
  }

  private List<String> owned() {
    return new ServerSideApplier(cluster.client, NS, false, d -> {}).owned("g").stream().map(ManifestSet::key).sorted()
        .toList();
  }

  /** Waits (real time) until the simulated garbage collector has removed every pod and StatefulSet of the LWS. */
  private void awaitCollected() throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < until) {
      boolean pods = cluster.client.pods().inNamespace(NS).withLabel(SimulatedLeaderWorkerSets.NAME_LABEL, LWS_NAME)
          .list().getItems().isEmpty();
      boolean sets = cluster.client.apps().statefulSets().inNamespace(NS).list().getItems().stream()
          .noneMatch(s -> s.getMetadata().getName().startsWith(LWS_NAME));
      if (pods && sets) return;
      Thread.sleep(50);
    }
    fail("the LeaderWorkerSet's StatefulSets and pods were not removed: " + lws.timeline());
  }

  @Test
  void aFailingRevisionIsRolledBackToThePreviousLeaderWorkerSet() {
    Map<String, String> settings = Map.of("multinode", "lws");
    DeployResult first = deploy(K8sGraphs.graph("g", K8sGraphs.group(IMAGE), K8sGraphs.frontend(IMAGE)), settings);
    assertEquals(Phase.READY, first.phase(), first.message());
    ComponentProgress group = first.progress().components().stream()
        .filter(c -> c.name().equals("sglang_group")).findFirst().orElseThrow();
    assertEquals(3, group.ready(), "leader and both workers: " + group);
    assertEquals(List.of("Deployment/g-frontend", "LeaderWorkerSet/" + LWS_NAME, "Service/g-frontend"), owned());
    String revisionOneHash = LeaderWorkerSetApi.templateHash(liveLws());

    DeployResult second = deploy(K8sGraphs.graph("g", K8sGraphs.group(IMAGE + "-next:crashloop"),
        K8sGraphs.frontend(IMAGE)), settings);
    assertEquals(Phase.ROLLED_BACK, second.phase(), second.message());
    assertTrue(second.message().contains("group 0 was recreated"), second.message());
    assertTrue(second.message().contains("restored revision 1"), second.message());
    GenericKubernetesResource restored = liveLws();
    assertEquals(revisionOneHash, LeaderWorkerSetApi.templateHash(restored), "revision 1's template is back");
    assertEquals("1", restored.getMetadata().getLabels().get(ManifestSet.REVISION));
    assertTrue(WorkloadReadiness.leaderWorkerSet(restored).isReady(), "and its groups are ready again");

    DeployContext ctx = K8sGraphs.context(K8sGraphs.graph("g"), settings);
    List<RevisionEntry> history = target.history(ctx);
    assertEquals(List.of(RevisionStatus.READY, RevisionStatus.ROLLED_BACK),
        history.stream().map(RevisionEntry::status).toList());
  }

  @Test
  void aFailedFirstInstallRemovesTheLeaderWorkerSetAndWithItItsGroups() throws InterruptedException {
    DeployResult result = deploy(K8sGraphs.graph("g", K8sGraphs.group(IMAGE + ":crashloop")), Map.of("multinode", "lws"));
    assertEquals(Phase.ROLLED_BACK, result.phase(), result.message());
    assertTrue(result.message().contains("removed revision 1"), result.message());
    assertEquals(List.of(), owned());
    assertNull(liveLws());
    awaitCollected();
  }

  @Test
  void aGroupLeavingTheGraphOrSwitchingModeIsPruned() throws InterruptedException {
    DeployResult statefulSets = deploy(K8sGraphs.graph("g", K8sGraphs.group(IMAGE)), Map.of());
    assertEquals(Phase.READY, statefulSets.phase(), statefulSets.message());
    assertTrue(owned().contains("StatefulSet/g-sglang-group-leader"), owned().toString());

    DeployResult lwsMode = deploy(K8sGraphs.graph("g", K8sGraphs.group(IMAGE)), Map.of("multinode", "lws"));
    assertEquals(Phase.READY, lwsMode.phase(), lwsMode.message());
    assertEquals(List.of("LeaderWorkerSet/" + LWS_NAME), owned(), "the StatefulSets and headless Services are pruned");

    DeployResult without = deploy(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE)), Map.of("multinode", "lws"));
    assertEquals(Phase.READY, without.phase(), without.message());
    assertEquals(List.of("Deployment/g-frontend", "Service/g-frontend"), owned());
    awaitCollected();
    for (HasMetadata o : cluster.client.apps().statefulSets().inNamespace(NS).list().getItems()) {
      fail("left behind: " + ManifestSet.key(o));
    }
  }
}

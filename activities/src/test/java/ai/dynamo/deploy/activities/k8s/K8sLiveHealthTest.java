package ai.dynamo.deploy.activities.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.LiveRevision;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.testing.k8s.SimulatedLeaderWorkerSets;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live health of a component's workloads ({@link K8sUpdates#health}: what a re-deploy and {@code deploy status}
 * judge), on fabric8's mock API server with no controller running: the objects' status is written here, as a real
 * controller would leave it after losing pods. It follows the readiness rules of the deploy's own wait
 * ({@link WorkloadReadiness}), LeaderWorkerSets included.
 */
class K8sLiveHealthTest {
  private static final String NS = "llm";

  @RegisterExtension final MockCluster cluster = new MockCluster().namespace(NS);

  private Deployment deployment(String name, int available) {
    Deployment d = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withNewSpec().withReplicas(2).endSpec()
        .withNewStatus().withObservedGeneration(1L).withReplicas(2).withUpdatedReplicas(2).withAvailableReplicas(available)
        .withReadyReplicas(available).endStatus().build();
    return cluster.client.resource(d).create();
  }

  private GenericKubernetesResource leaderWorkerSet(String name, int readyGroups) {
    GenericKubernetesResource lws = new GenericKubernetesResource();
    lws.setApiVersion(LeaderWorkerSetApi.API_VERSION);
    lws.setKind(LeaderWorkerSetApi.KIND);
    lws.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    lws.setAdditionalProperty("spec", Map.of("replicas", 2));
    GenericKubernetesResource created = cluster.client.genericKubernetesResources(LeaderWorkerSetApi.CONTEXT)
        .inNamespace(NS).resource(lws).create();
    // The CRD serves status as a subresource: written apart, as the LWS controller does.
    created.setAdditionalProperty("status", Map.of("observedGeneration", 1, "replicas", 2, "readyReplicas", readyGroups, "updatedReplicas", 2,
        "conditions", List.of(Map.of("type", "Available", "status", readyGroups == 2 ? "True" : "False"))));
    return cluster.client.genericKubernetesResources(LeaderWorkerSetApi.CONTEXT).inNamespace(NS).resource(created)
        .updateStatus();
  }

  private LiveRevision.Component health(HasMetadata... objects) {
    return K8sUpdates.health(cluster.client, NS, List.of(objects), "d1", 1);
  }

  @Test
  void aDeploymentThatLostItsAvailableReplicasIsNotReady() {
    LiveRevision.Component ready = health(deployment("g-frontend", 2));
    assertTrue(ready.healthy(), ready.health());
    LiveRevision.Component lost = health(deployment("g-worker", 0));
    assertFalse(lost.healthy());
    assertEquals("deployment g-worker: 0 of 2 replicas available", lost.health());
  }

  @Test
  void aLeaderWorkerSetThatLostAGroupIsNotReady() {
    SimulatedLeaderWorkerSets.installCrd(cluster.client);
    LiveRevision.Component ready = health(leaderWorkerSet("g-group-lws", 2));
    assertTrue(ready.healthy(), ready.health());
    LiveRevision.Component lost = health(leaderWorkerSet("g-other-lws", 1));
    assertFalse(lost.healthy(), "before, LeaderWorkerSets were not looked at: " + lost.health());
    assertEquals("leaderworkerset g-other-lws: 1 of 2 groups ready", lost.health());
  }

  @Test
  void aWorkloadThatIsGoneIsNamed() {
    Deployment d = deployment("g-frontend", 2);
    cluster.client.resource(d).delete();
    LiveRevision.Component gone = health(d);
    assertFalse(gone.health().isEmpty());
    assertFalse(gone.healthy());
    assertEquals("Deployment/g-frontend is gone", gone.health());
  }
}

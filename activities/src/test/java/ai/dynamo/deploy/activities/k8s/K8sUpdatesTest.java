package ai.dynamo.deploy.activities.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.Room;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.workflows.ChangeKind;
import ai.dynamo.deploy.workflows.ComponentChange;
import ai.dynamo.deploy.workflows.UpdateStrategy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Kubernetes pieces of per-component updates on their own: the strategy a replaced Deployment or LeaderWorkerSet
 * gets, the free-GPU question of {@code auto}, and the object form {@code deploy diff} compares.
 */
class K8sUpdatesTest {
  @RegisterExtension final MockCluster cluster = new MockCluster().namespace(K8sGraphs.NS).gpuNode("gpu-1", 8)
      .gpuNode("gpu-2", 8);

  private static ComponentChange update(UpdateStrategy strategy) {
    return new ComponentChange("decode", ChangeKind.UPDATE, strategy, "", "", "", 1, "");
  }

  private static Deployment deployment() {
    return new DeploymentBuilder().withNewMetadata().withName("g-decode").addToLabels(ManifestSet.REVISION, "2")
        .addToAnnotations(ManifestSet.SPEC_DIGEST, "abc").endMetadata().withNewSpec().withReplicas(2).endSpec().build();
  }

  private static GenericKubernetesResource lws() {
    GenericKubernetesResource lws = new GenericKubernetesResource();
    lws.setApiVersion(LeaderWorkerSetApi.API_VERSION);
    lws.setKind(LeaderWorkerSetApi.KIND);
    lws.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("g-group").build());
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("replicas", 3);
    lws.setAdditionalProperty("spec", spec);
    return lws;
  }

  @Test
  void recreateAndBlueGreenSetTheDeploymentAndLeaderWorkerSetStrategies() {
    Deployment recreate = deployment();
    GenericKubernetesResource lwsRecreate = lws();
    K8sUpdates.strategy(List.of(recreate, lwsRecreate), update(UpdateStrategy.RECREATE));
    assertEquals("Recreate", recreate.getSpec().getStrategy().getType());
    assertNull(recreate.getSpec().getStrategy().getRollingUpdate());
    assertEquals(Map.of("type", "RollingUpdate", "rollingUpdateConfiguration", Map.of("maxUnavailable", 3, "maxSurge", 0)),
        LeaderWorkerSetApi.spec(lwsRecreate).get("rolloutStrategy"));

    Deployment blueGreen = deployment();
    GenericKubernetesResource lwsBlueGreen = lws();
    K8sUpdates.strategy(List.of(blueGreen, lwsBlueGreen), update(UpdateStrategy.BLUE_GREEN));
    assertEquals("RollingUpdate", blueGreen.getSpec().getStrategy().getType());
    assertEquals("100%", blueGreen.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getStrVal());
    assertEquals(0, blueGreen.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal());
    assertEquals(Map.of("type", "RollingUpdate", "rollingUpdateConfiguration", Map.of("maxUnavailable", 0, "maxSurge", 3)),
        LeaderWorkerSetApi.spec(lwsBlueGreen).get("rolloutStrategy"));

    Deployment added = deployment();
    K8sUpdates.strategy(List.of(added), new ComponentChange("decode", ChangeKind.ADD, null, "", "", "", 0, ""));
    assertNull(added.getSpec().getStrategy(), "a new component keeps the rendered (default) strategy");
  }

  @Test
  void autoCountsFreeGpusOfTheNodesAndRefusesSurgeForStatefulSetGroups() {
    var decode = K8sGraphs.component("decode", K8sGraphs.IMAGE, "dyn://g.decode.generate", 2, 1, 8, List.of());
    Room empty = K8sUpdates.room(cluster.client, decode, List.of(deployment()));
    assertTrue(empty.fits(), empty.reason());
    assertTrue(empty.reason().contains("16 GPUs free on 2 nodes"), empty.reason());

    cluster.client.pods().inNamespace(K8sGraphs.NS).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
        .withNewMetadata().withName("busy").endMetadata().withNewSpec().withNodeName("gpu-1").addNewContainer()
        .withName("c").withImage("x").withNewResources()
        .addToLimits(K8sUpdates.GPU, new io.fabric8.kubernetes.api.model.Quantity("8")).endResources().endContainer()
        .endSpec().build()).create();
    Room full = K8sUpdates.room(cluster.client, decode, List.of(deployment()));
    assertFalse(full.fits(), full.reason());
    assertEquals("the cluster has no room for a second copy (2 pods x 8 GPU): 8 GPUs free on 2 nodes", full.reason());

    HasMetadata statefulSet = new StatefulSetBuilder().withNewMetadata().withName("g-group-leader").endMetadata().build();
    Room group = K8sUpdates.room(cluster.client, decode, List.of(statefulSet));
    assertFalse(group.fits());
    assertEquals("a StatefulSet group rolls its pods in place, without surge", group.reason());
  }

  @Test
  void diffFilesLeaveOutWhatTheTargetAddsPerRevision() {
    String yaml = K8sUpdates.asFiles(List.of(deployment())).get("Deployment/g-decode.yaml");
    assertFalse(yaml.contains(ManifestSet.REVISION), yaml);
    assertFalse(yaml.contains(ManifestSet.SPEC_DIGEST), yaml);
    assertTrue(yaml.contains("replicas: 2"), yaml);
  }
}

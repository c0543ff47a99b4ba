package ai.dynamo.deploy.activities.k8s;

import static ai.dynamo.deploy.activities.k8s.K8sGraphs.IMAGE;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.NS;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.testing.k8s.SimulatedController;
import ai.dynamo.deploy.testing.k8s.SimulatedLeaderWorkerSets;
import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.Stage;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pod settings on the mock API server: preflight finds what they name (pull Secrets of the right type, the
 * ServiceAccount, PriorityClass and RuntimeClass) and refuses what is missing, all in one message; the pods the
 * controllers create carry the tolerations and pull secrets; and preflight reviews exactly the permission table.
 */
class K8sPodSettingsPreflightTest {
  @RegisterExtension final MockCluster cluster = new MockCluster();
  private final K8sTarget target = K8sGraphs.target(cluster.client);

  /** Before the cluster closes (the extension's turn comes after {@code @AfterEach}). */
  @AfterEach
  void close() {
    target.close();
  }

  private static Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("imagePullSecrets", "ngc-registry");
    s.put("serviceAccountName", "inference");
    s.put("priorityClassName", "inference-high");
    s.put("runtimeClassName", "nvidia");
    return s;
  }

  private static Graph graph() {
    return K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE), K8sGraphs.engine(IMAGE));
  }

  private void createAll() {
    cluster.client.resource(new SecretBuilder().withNewMetadata().withName("ngc-registry").withNamespace(NS)
        .endMetadata().withType("kubernetes.io/dockerconfigjson")
        .addToData(".dockerconfigjson", "e30=").build()).create();
    cluster.client.resource(new ServiceAccountBuilder().withNewMetadata().withName("inference").withNamespace(NS)
        .endMetadata().build()).create();
    cluster.client.resource(new PriorityClassBuilder().withNewMetadata().withName("inference-high").endMetadata()
        .withValue(1000).build()).create();
    cluster.client.resource(new RuntimeClassBuilder().withNewMetadata().withName("nvidia").endMetadata()
        .withHandler("nvidia").build()).create();
  }

  @Test
  void everyMissingObjectIsNamedInOneFailure() {
    cluster.namespace(NS).secret(NS, "hf-token", "HF_TOKEN").gpuNode("gpu-1", 8);
    TargetFailure f = assertThrows(TargetFailure.class, () -> target.preflight(K8sGraphs.context(graph(), settings())));
    assertEquals(DeployFailures.PREFLIGHT_FAILED, f.type());
    String m = f.getMessage();
    assertTrue(m.contains("image pull Secret ngc-registry is missing in namespace llm (create it with `kubectl create "
        + "secret docker-registry ngc-registry -n llm"), m);
    assertTrue(m.contains("ServiceAccount inference is missing in namespace llm"), m);
    assertTrue(m.contains("PriorityClass inference-high does not exist"), m);
    assertTrue(m.contains("RuntimeClass nvidia does not exist"), m);
    assertTrue(cluster.client.apps().deployments().inNamespace(NS).list().getItems().isEmpty(), "nothing applied");

    createAll();
    assertEquals(List.of(), target.preflight(K8sGraphs.context(graph(), settings())));
  }

  @Test
  void aPullSecretOfAnotherTypeIsRefused() {
    cluster.namespace(NS).secret(NS, "hf-token", "HF_TOKEN").gpuNode("gpu-1", 8);
    cluster.secret(NS, "ngc-registry", "password");
    TargetFailure f = assertThrows(TargetFailure.class,
        () -> target.preflight(K8sGraphs.context(graph(), Map.of("imagePullSecrets", "ngc-registry"))));
    assertTrue(f.getMessage().contains("image pull Secret ngc-registry is of type Opaque, not "
        + "kubernetes.io/dockerconfigjson"), f.getMessage());
    assertFalse(f.getMessage().contains("c2VjcmV0"), "never a value");
  }

  @Test
  void objectsPreflightMayNotReadAreWarningsNotFailures() {
    cluster.namespace(NS).secret(NS, "hf-token", "HF_TOKEN").gpuNode("gpu-1", 8);
    createAll();
    cluster.api.deny("get", "priorityclasses");
    cluster.api.deny("list", "nodes");
    List<String> warnings = target.preflight(K8sGraphs.context(graph(), settings()));
    assertEquals(List.of("the current user may not list nodes, get scheduling.k8s.io/priorityclasses, so preflight "
        + "cannot check what needs it"), warnings);
    cluster.api.deny("watch", "replicasets");
    TargetFailure f = assertThrows(TargetFailure.class, () -> target.preflight(K8sGraphs.context(graph(), settings())));
    assertTrue(f.getMessage().contains("may not watch apps/replicasets in namespace llm"), f.getMessage());
  }

  @Test
  void preflightReviewsExactlyThePermissionTable() {
    cluster.namespace(NS).secret(NS, "hf-token", "HF_TOKEN").gpuNode("gpu-1", 8);
    SimulatedLeaderWorkerSets.installCrd(cluster.client);
    target.preflight(K8sGraphs.context(graph(), Map.of()));
    Set<String> reviewed = new HashSet<>();
    for (Map<String, Object> spec : cluster.api.reviews()) reviewed.add(K8sAccessTable.describe(spec));
    assertEquals(K8sAccessTable.all(NS), reviewed);
    assertEquals(reviewed.size(), cluster.api.reviews().size(), "each once");
  }

  @Test
  void thePodsTolerateTheGpuTaintAndCarryThePullSecret() throws InterruptedException {
    cluster.namespace(NS).secret(NS, "hf-token", "HF_TOKEN").gpuNode("gpu-1", 8);
    createAll();
    try (SimulatedController controller = new SimulatedController(cluster.client, NS).start()) {
      DeployContext ctx = K8sGraphs.context(graph(), settings());
      target.preflight(ctx);
      for (var c : ctx.graph().components()) {
        target.apply(ctx, 1, c, Stage.ALL);
        target.awaitReady(ctx, 1, c, Stage.ALL, new RecordingWatch());
      }
    }
    List<String> checked = new ArrayList<>();
    for (Pod p : cluster.client.pods().inNamespace(NS).list().getItems()) {
      PodSpec spec = p.getSpec();
      assertEquals("ngc-registry", spec.getImagePullSecrets().get(0).getName(), p.getMetadata().getName());
      assertEquals("inference", spec.getServiceAccountName());
      assertEquals("nvidia", spec.getRuntimeClassName());
      boolean gpu = p.getMetadata().getName().startsWith("g-vllm-worker");
      List<String> tolerations = spec.getTolerations() == null ? List.of()
          : spec.getTolerations().stream().map(Toleration::getKey).toList();
      assertEquals(gpu ? List.of("nvidia.com/gpu") : List.of(), tolerations, p.getMetadata().getName());
      checked.add(p.getMetadata().getName());
    }
    assertEquals(3, checked.size(), checked.toString());
  }
}

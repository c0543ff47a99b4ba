package ai.dynamo.deploy.render.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.render.Rendering;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rendered object is a valid fabric8 model object and is stored and returned intact by the mock API server. */
@EnableKubernetesMockClient(crud = true)
class K8sMockServerTest {
  static KubernetesClient client;

  @Test
  void seedGraphObjectsAreAcceptedAndReadBackIntact() {
    Rendering rendering = K8sRenderer.render(K8sTestGraphs.seed(), Map.of("namespace", "llm"));
    List<HasMetadata> objects = FabricModels.loadAll(rendering);
    // http_ingress: Service+Deployment; vllm_worker: Deployment; sglang and trtllm: 2 headless Services +
    // leader StatefulSet + 1 worker StatefulSet each; batch_processor: Job
    assertEquals(2 + 1 + 4 + 1 + 4, objects.size());
    createAndReadBack(objects, "llm");

    assertEquals(2, client.apps().deployments().inNamespace("llm").list().getItems().size());
    assertEquals(4, client.apps().statefulSets().inNamespace("llm").list().getItems().size());
    assertEquals(5, client.services().inNamespace("llm").list().getItems().size());
    assertEquals(1, client.batch().v1().jobs().inNamespace("llm").list().getItems().size());

    StatefulSet workers =
        client.apps().statefulSets().inNamespace("llm").withName("dynamo-graph-sglang-worker-worker-0").get();
    assertEquals(1, workers.getSpec().getOrdinals().getStart());
    assertEquals(1, workers.getSpec().getReplicas());
    Deployment ingress = client.apps().deployments().inNamespace("llm").withName("dynamo-graph-http-ingress").get();
    assertEquals(5, ingress.getSpec().getReplicas());
    assertEquals(
        "500m", ingress.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits()
            .get("cpu").toString());

    // The graph's objects can be found by our labels alone, as the deploy activity will.
    assertEquals(
        12,
        client.resourceList(objects).resources()
            .filter(r -> r.get() != null && "dynamo-graph".equals(r.get().getMetadata().getLabels()
                .get(Labels.GRAPH)))
            .count());
  }

  @Test
  void twoGraphsInOneNamespaceDoNotCollide() {
    for (String graph : List.of("alpha", "beta")) {
      Rendering rendering =
          K8sRenderer.render(K8sTestGraphs.of(graph, K8sTestGraphs.httpIngress()), Map.of("namespace", "shared"));
      for (HasMetadata object : FabricModels.loadAll(rendering)) client.resource(object).create();
    }
    List<Service> services = client.services().inNamespace("shared").list().getItems();
    assertEquals(2, services.size());
    for (Service s : services) {
      String graph = s.getMetadata().getLabels().get(Labels.GRAPH);
      assertTrue(s.getMetadata().getName().startsWith(graph + "-"), s.getMetadata().getName());
      assertEquals(graph, s.getSpec().getSelector().get(Labels.GRAPH), "a Service selects only its own graph");
    }
    assertEquals(
        1,
        client.apps().deployments().inNamespace("shared").withLabel(Labels.GRAPH, "alpha").list().getItems().size());
  }

  @ParameterizedTest
  @MethodSource("ai.dynamo.deploy.render.k8s.K8sGoldenTest#examples")
  void exampleObjectsAreAcceptedAndReadBackIntact(String example) {
    String namespace = "ex-" + example;
    Rendering rendering = K8sRenderer.render(Examples.load(example), Map.of("namespace", namespace));
    List<HasMetadata> objects = FabricModels.loadAll(rendering);
    createAndReadBack(objects, namespace);
    assertEquals(objects.size(),
        client.resourceList(objects).resources().filter(r -> r.get() != null).count(), "all stored");
  }

  @Test
  void unusualShapesAreAcceptedToo() {
    ai.dynamo.deploy.ir.Component b = K8sTestGraphs.batchProcessor();
    ai.dynamo.deploy.ir.Component multiBatch = new ai.dynamo.deploy.ir.Component(
        "offline_scoring_over_the_whole_evaluation_corpus_of_the_quarter", b.image(), b.cmd(), b.input(),
        b.output(), b.parameters(), 2, b.resources(), b.environment(), b.secrets(), b.nodeSelector(),
        new ai.dynamo.deploy.ir.MultiNode(3, null, null), null);
    ai.dynamo.deploy.ir.Component chat = K8sTestGraphs.component("chat", "text", "vllm", List.of());
    ai.dynamo.deploy.ir.Component wide = K8sRendererTest.multiNode("wide_group", 4, 3, null);
    Rendering rendering = K8sRenderer.render(
        K8sTestGraphs.of("a_graph_name_long_enough_to_force_shortening_of_names", multiBatch, chat, wide),
        Map.of("namespace", "odd"));
    List<HasMetadata> objects = FabricModels.loadAll(rendering);
    assertEquals((1 + 2) + 1 + (2 + 1 + 3), objects.size());
    createAndReadBack(objects, "odd");
  }

  private static void createAndReadBack(List<HasMetadata> objects, String namespace) {
    for (HasMetadata object : objects) {
      HasMetadata created = client.resource(object).create();
      assertNotNull(created.getMetadata().getUid(), "the server stored " + describe(object));
      HasMetadata read = client.resource(object).get();
      assertNotNull(read, "the server returns " + describe(object));
      assertEquals(namespace, read.getMetadata().getNamespace());
      assertEquals(object.getMetadata().getLabels(), read.getMetadata().getLabels());
      assertEquals(object.getMetadata().getAnnotations(), read.getMetadata().getAnnotations());
      assertEquals(specOf(object), specOf(read), "spec of " + describe(object) + " survives the round trip");
    }
  }

  private static Object specOf(HasMetadata object) {
    if (object instanceof Deployment d) return d.getSpec();
    if (object instanceof StatefulSet s) return s.getSpec();
    if (object instanceof Service s) return s.getSpec();
    if (object instanceof Job j) return j.getSpec();
    throw new AssertionError("unexpected kind " + object.getKind());
  }

  private static String describe(HasMetadata object) {
    return object.getKind() + " " + object.getMetadata().getName();
  }
}

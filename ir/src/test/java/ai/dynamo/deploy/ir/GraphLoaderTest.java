package ai.dynamo.deploy.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GraphLoaderTest {

  private static Parameter p(String key, String value, Parameter.Type type) {
    return new Parameter(key, value, type);
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void examplesAreValidForEveryTarget(Target target) {
    for (String name : ExampleGraphs.ALL) {
      LoadResult r = GraphLoader.load(name, ExampleGraphs.text(name), target);
      assertTrue(r.ok(), () -> name + ": " + r.problems());
      assertEquals(List.of(), r.errors());
    }
  }

  @Test
  void referenceExampleBecomesTheNormalisedGraph() {
    Graph g = ExampleGraphs.reference();
    assertEquals("1.0", g.version());
    assertEquals("dynamo-graph", g.name());
    assertEquals(List.of("http_ingress", "vllm_worker", "sglang_worker", "batch_processor", "trtllm_leader"),
        g.components().stream().map(Component::name).toList());

    Component ingress = g.components().get(0);
    assertEquals("nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.4.0", ingress.image());
    assertEquals(List.of("dynamo", "serve"), ingress.cmd());
    assertEquals("http", ingress.input());
    assertEquals(InputKind.HTTP, ingress.inputKind());
    assertEquals("dyn", ingress.output());
    assertEquals(List.of(p("port", "8080", Parameter.Type.INTEGER)), ingress.parameters());
    assertEquals(5, ingress.replicas());
    assertEquals(new Resources("500m", "2Gi", 0), ingress.resources());
    assertEquals(MultiNode.SINGLE, ingress.multiNode());
    assertNull(ingress.readiness());

    Component vllm = g.components().get(1);
    assertEquals(List.of(
        p("model_path", "meta-llama/Meta-Llama-3-8B-Instruct", Parameter.Type.STRING),
        p("tensor_parallel_size", "2", Parameter.Type.INTEGER),
        p("context_length", "8192", Parameter.Type.INTEGER),
        p("base_gpu_id", "0", Parameter.Type.INTEGER),
        p("extra_engine_args", "vllm_config.json", Parameter.Type.STRING)), vllm.parameters());
    assertEquals(List.of(EnvVar.literal("CUDA_VISIBLE_DEVICES", "0,1"), EnvVar.secret("HF_TOKEN", "HF_TOKEN")),
        vllm.environment());
    assertEquals(List.of("my_secret_name"), vllm.secrets());
    assertEquals(new Resources(null, "24Gi", 2), vllm.resources());
    assertEquals(2, vllm.replicas());

    Component sglang = g.components().get(2);
    assertEquals(List.of(
        p("model_path", "/data/models/Qwen/Qwen3-32B", Parameter.Type.STRING),
        p("tensor_parallel_size", "4", Parameter.Type.INTEGER),
        p("router_mode", "kv", Parameter.Type.STRING)), sglang.parameters());
    assertEquals(new MultiNode(2, 0, "127.0.0.1:9876"), sglang.multiNode());

    Component batch = g.components().get(3);
    assertEquals(InputKind.BATCH, batch.inputKind());
    assertEquals(List.of(
        p("model_path", "Qwen/Qwen3-4B", Parameter.Type.STRING),
        p("verbosity", "2", Parameter.Type.INTEGER)), batch.parameters());
    assertEquals(new Resources(null, "16Gi", 0), batch.resources());

    Component trtllm = g.components().get(4);
    assertEquals(new MultiNode(2, 0, "10.217.98.122:5000"), trtllm.multiNode());
    assertEquals(java.util.Map.of("role", "leader"), trtllm.nodeSelector());
    assertEquals("16", trtllm.parameter("tensor_parallel_size").value());
    assertEquals("trtllm_config.yaml", trtllm.parameter("extra_engine_args").value());

    // 2 GPUs x 2 replicas + 4 x 2 nodes + 8 x 2 nodes
    assertEquals(28, g.totalGpus());
  }

  @Test
  void demoExampleHasAReadinessBlockAndAMultiNodeGroup() {
    Graph g = ExampleGraphs.demo();
    assertEquals(new Readiness(Readiness.Type.HTTP, 8000, "/health"), g.components().get(0).readiness());
    assertEquals(new MultiNode(2, null, null), g.components().get(2).multiNode());
    assertEquals(2 + 8, g.totalGpus());
  }

  @Test
  void referenceExampleWarnsAboutCudaVisibleDevicesOnlyForKubernetes() {
    String text = ExampleGraphs.text(ExampleGraphs.REFERENCE);
    assertEquals(List.of(), GraphLoader.load("g.yaml", text, Target.SLURM).warnings());
    List<Problem> k8s = GraphLoader.load("g.yaml", text, Target.K8S).warnings();
    assertEquals(1, k8s.size(), k8s::toString);
    assertEquals("components[1].environment.CUDA_VISIBLE_DEVICES", k8s.get(0).path());
    assertEquals(36, k8s.get(0).line()); // the line of CUDA_VISIBLE_DEVICES in the example
  }

  @Test
  void disaggregatedExampleUsesEveryField() {
    Graph g = ExampleGraphs.load(ExampleGraphs.DISAGGREGATED, Target.K8S);
    Component prefill = g.components().get(1);
    assertEquals(List.of(
        p("model_path", "meta-llama/Llama-3.1-8B-Instruct", Parameter.Type.STRING),
        p("tensor_parallel_size", "1", Parameter.Type.INTEGER),
        p("gpu_memory_utilization", "0.90", Parameter.Type.FLOAT),
        p("enforce_eager", "true", Parameter.Type.BOOLEAN)), prefill.parameters());
    assertEquals(List.of("model-cache-credentials"), prefill.secrets());
    assertEquals(new Readiness(Readiness.Type.TCP, 9345, null), g.components().get(2).readiness());
    Component trtllm = g.components().get(3);
    assertEquals(new MultiNode(2, null, "leader.cluster.local:5000"), trtllm.multiNode());
    assertEquals(List.of("nvidia.com/gpu.product", "role"), List.copyOf(trtllm.nodeSelector().keySet()));
    assertTrue(g.components().get(4).isBatch());
    assertEquals(new Readiness(Readiness.Type.RUNNING, null, null), g.components().get(4).readiness());
    assertEquals(2 + 2 + 16, g.totalGpus());
  }
}

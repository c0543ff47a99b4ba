package ai.dynamo.deploy.render.k8s;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.MultiNode;
import ai.dynamo.deploy.ir.Parameter;
import ai.dynamo.deploy.ir.Parameter.Type;
import ai.dynamo.deploy.ir.Readiness;
import ai.dynamo.deploy.ir.Resources;
import java.util.List;
import java.util.Map;

/** Graphs built from the IR records, shaped like the seed example (with real images, as the k8s target needs). */
final class K8sTestGraphs {
  private K8sTestGraphs() {}

  static final String IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.4.0";

  static Component component(String name, String input, String output, List<Parameter> params) {
    return new Component(
        name, IMAGE, Component.DEFAULT_CMD, input, output, params, 1, Resources.NONE, List.of(), List.of(),
        Map.of(), MultiNode.SINGLE, null);
  }

  static Parameter p(String key, String value, Type type) {
    return new Parameter(key, value, type);
  }

  static Component httpIngress() {
    return new Component(
        "http_ingress", IMAGE, Component.DEFAULT_CMD, "http", "dyn", List.of(p("port", "8080", Type.INTEGER)), 5,
        new Resources("500m", "2Gi", 0), List.of(), List.of(), Map.of(), MultiNode.SINGLE, null);
  }

  static Component vllmWorker() {
    return new Component(
        "vllm_worker", IMAGE, Component.DEFAULT_CMD, "dyn://llama3-8b.backend.generate", "vllm",
        List.of(
            p("model_path", "meta-llama/Meta-Llama-3-8B-Instruct", Type.STRING),
            p("tensor_parallel_size", "2", Type.INTEGER),
            p("context_length", "8192", Type.INTEGER),
            p("base_gpu_id", "0", Type.INTEGER),
            p("extra_engine_args", "vllm_config.json", Type.STRING)),
        2, new Resources(null, "24Gi", 2),
        List.of(EnvVar.literal("CUDA_VISIBLE_DEVICES", "0,1"), EnvVar.secret("HF_TOKEN", "HF_TOKEN")),
        List.of("my_secret_name"), Map.of(), MultiNode.SINGLE, null);
  }

  static Component sglangWorker() {
    return new Component(
        "sglang_worker", IMAGE, Component.DEFAULT_CMD, "dyn://qwen3-32b.backend.generate", "sglang",
        List.of(
            p("model_path", "/data/models/Qwen/Qwen3-32B", Type.STRING),
            p("tensor_parallel_size", "4", Type.INTEGER),
            p("router_mode", "kv", Type.STRING)),
        1, new Resources(null, "64Gi", 4), List.of(), List.of(), Map.of(),
        new MultiNode(2, 0, "127.0.0.1:9876"), null);
  }

  static Component batchProcessor() {
    return new Component(
        "batch_processor", IMAGE, Component.DEFAULT_CMD, "batch:/data/prompts.jsonl", "mistralrs",
        List.of(p("model_path", "Qwen/Qwen3-4B", Type.STRING), p("verbosity", "2", Type.INTEGER)),
        1, new Resources(null, "16Gi", 0), List.of(), List.of(), Map.of(), MultiNode.SINGLE, null);
  }

  static Component trtllmLeader() {
    return new Component(
        "trtllm_leader", IMAGE, Component.DEFAULT_CMD, "dyn://deepseek-70b.backend.generate", "trtllm",
        List.of(
            p("model_path", "deepseek-ai/DeepSeek-R1-Distill-Llama-70B", Type.STRING),
            p("tensor_parallel_size", "16", Type.INTEGER),
            p("extra_engine_args", "trtllm_config.yaml", Type.STRING)),
        1, new Resources(null, "80Gi", 8), List.of(), List.of(), Map.of("role", "leader"),
        new MultiNode(2, 0, "10.217.98.122:5000"), null);
  }

  /** The seed graph's five components. */
  static Graph seed() {
    return new Graph(
        "1.0", "dynamo-graph",
        List.of(httpIngress(), vllmWorker(), sglangWorker(), batchProcessor(), trtllmLeader()));
  }

  static Graph of(String name, Component... components) {
    return new Graph("1.0", name, List.of(components));
  }

  static Readiness http(int port, String path) {
    return new Readiness(Readiness.Type.HTTP, port, path);
  }
}

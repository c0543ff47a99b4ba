package ai.dynamo.deploy.render.slurm;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.MultiNode;
import ai.dynamo.deploy.ir.Parameter;
import ai.dynamo.deploy.ir.Resources;
import java.util.List;
import java.util.Map;

/** Graphs built directly from the IR records, for tests that need shapes the example files do not have. */
public final class SlurmTestGraphs {
  private SlurmTestGraphs() {}

  public static Parameter str(String key, String value) {
    return new Parameter(key, value, Parameter.Type.STRING);
  }

  public static Parameter integer(String key, int value) {
    return new Parameter(key, Integer.toString(value), Parameter.Type.INTEGER);
  }

  static Component component(
      String name,
      List<String> cmd,
      String input,
      List<Parameter> params,
      int replicas,
      Resources resources,
      List<EnvVar> env,
      List<String> secrets,
      Map<String, String> nodeSelector,
      MultiNode multiNode) {
    return new Component(
        name, null, cmd, input, "dyn", params, replicas, resources, env, secrets, nodeSelector, multiNode, null);
  }

  /** A service and a two-node group with a user-pinned leader, secrets, constraints and every resource. */
  public static Graph mixed() {
    Component frontend = component("http_ingress", Component.DEFAULT_CMD, "http", List.of(integer("port", 8080)), 2,
        new Resources("500m", "2Gi", 0), List.of(EnvVar.literal("LOG_LEVEL", "info")), List.of(), Map.of(),
        MultiNode.SINGLE);
    Component group = component("trtllm_leader", Component.DEFAULT_CMD, "dyn://deepseek.backend.generate",
        List.of(str("model_path", "deepseek-ai/DeepSeek-R1-Distill-Llama-70B"), integer("tensor_parallel_size", 16)),
        1, new Resources("16", "80Gi", 8),
        List.of(EnvVar.literal("CUDA_VISIBLE_DEVICES", "0,1"), EnvVar.secret("HF_TOKEN", "HF_TOKEN")),
        List.of("my_secret_name"), Map.of("role", "leader"), new MultiNode(2, 0, "10.217.98.122:5000"));
    Component batch = component("batch_processor", Component.DEFAULT_CMD, "batch:/data/prompts.jsonl",
        List.of(str("model_path", "Qwen/Qwen3-4B"), integer("verbosity", 2)), 1, new Resources(null, "16Gi", 0),
        List.of(), List.of(), Map.of(), MultiNode.SINGLE);
    return new Graph("1.0", "dynamo-graph", List.of(frontend, group, batch));
  }
}

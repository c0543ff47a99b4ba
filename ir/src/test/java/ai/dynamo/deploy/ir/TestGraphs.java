package ai.dynamo.deploy.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Graphs for tests of every module, built from the IR records directly (no YAML). */
public final class TestGraphs {
  private TestGraphs() {}

  public static Component service(String name, String input, int replicas) {
    return component(name, input, replicas, 1);
  }

  /** A component with the given input; {@code nodes > 1} makes each replica a multi-node group. */
  public static Component component(String name, String input, int replicas, int nodes) {
    return new Component(
        name,
        "registry.example/dynamo:1",
        Component.DEFAULT_CMD,
        input,
        "vllm",
        List.of(),
        replicas,
        new Resources(null, "2Gi", 0),
        List.of(),
        List.of(),
        Map.of(),
        nodes > 1 ? new MultiNode(nodes, null, null) : MultiNode.SINGLE,
        null);
  }

  /** An engine, a two-node group, an HTTP front end and a batch job: two waves. */
  public static Graph sample() {
    return new Graph(
        "1.0",
        "dynamo-graph",
        List.of(
            service("http_ingress", "http", 2),
            service("vllm_worker", "dyn://llama.backend.generate", 2),
            component("sglang_worker", "dyn://qwen.backend.generate", 1, 2),
            service("batch_processor", "batch:/data/prompts.jsonl", 1)));
  }

  /** One engine and one front end: a wave with a single component, so nothing else is waiting when it fails. */
  public static Graph small() {
    return new Graph(
        "1.0",
        "dynamo-graph",
        List.of(service("http_ingress", "http", 2), service("vllm_worker", "dyn://llama.backend.generate", 2)));
  }

  /** {@code n} engines in one wave. */
  public static Graph wide(int n) {
    List<Component> components = new ArrayList<>();
    for (int i = 0; i < n; i++) components.add(service("engine_" + i, "dyn://m.backend.generate", 1));
    return new Graph("1.0", "wide-graph", components);
  }
}

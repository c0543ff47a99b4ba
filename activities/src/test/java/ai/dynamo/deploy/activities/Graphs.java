package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphDigest;
import ai.dynamo.deploy.ir.MultiNode;
import ai.dynamo.deploy.ir.Resources;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Graphs and requests for tests, built from the IR records directly. */
final class Graphs {
  private Graphs() {}

  static Component service(String name, String input, int replicas) {
    return component(name, input, replicas, 1);
  }

  static Component component(String name, String input, int replicas, int nodes) {
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
  static Graph sample() {
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
  static Graph small() {
    return new Graph(
        "1.0",
        "dynamo-graph",
        List.of(service("http_ingress", "http", 2), service("vllm_worker", "dyn://llama.backend.generate", 2)));
  }

  static Graph wide(int n) {
    List<Component> components = new ArrayList<>();
    for (int i = 0; i < n; i++) components.add(service("engine_" + i, "dyn://m.backend.generate", 1));
    return new Graph("1.0", "wide-graph", components);
  }

  static DeployRequest request(Graph graph, Map<String, String> settings) {
    return request(graph, settings, Duration.ofMinutes(30));
  }

  static DeployRequest request(Graph graph, Map<String, String> settings, Duration readinessTimeout) {
    TargetSpec target = new TargetSpec("fake", "lab", settings);
    return new DeployRequest(
        graph,
        GraphDigest.sha256(graph),
        target,
        new DeployOptions(readinessTimeout, Duration.ofMinutes(5), "test@host"));
  }
}

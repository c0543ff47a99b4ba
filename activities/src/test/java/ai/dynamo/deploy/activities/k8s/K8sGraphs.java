package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.client.DeployOutcomes;
import ai.dynamo.deploy.client.DeployStarter;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.MultiNode;
import ai.dynamo.deploy.ir.Parameter;
import ai.dynamo.deploy.ir.Resources;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.TargetSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Graphs and deploy contexts for the Kubernetes target tests, built from the IR records. */
final class K8sGraphs {
  private K8sGraphs() {}

  static final String IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.4.0";
  static final String NS = "llm";

  static Component component(String name, String image, String input, int replicas, int nodes, int gpus,
      List<EnvVar> env) {
    List<Parameter> params = input.equals("http") ? List.of(new Parameter("port", "8000", Parameter.Type.INTEGER))
        : List.of();
    return new Component(name, image, Component.DEFAULT_CMD, input, "vllm", params, replicas,
        new Resources("1", "2Gi", gpus), env, List.of(), Map.of(),
        nodes > 1 ? new MultiNode(nodes, null, null) : MultiNode.SINGLE, null);
  }

  static Component frontend(String image) {
    return component("frontend", image, "http", 2, 1, 0, List.of());
  }

  static Component engine(String image) {
    return component("vllm_worker", image, "dyn://g.backend.generate", 1, 1, 2,
        List.of(EnvVar.secret("HF_TOKEN", "HF_TOKEN")));
  }

  static Component group(String image) {
    return component("sglang_group", image, "dyn://g.large.generate", 1, 3, 4, List.of());
  }

  static Component batch(String image) {
    return component("scoring", image, "batch:/data/prompts.jsonl", 1, 1, 0, List.of());
  }

  static Graph graph(String name, Component... components) {
    return new Graph("1.0", name, List.of(components));
  }

  static Graph sample(String image) {
    return graph("g", frontend(image), engine(image), group(image), batch(image));
  }

  static DeployRequest request(Graph graph, Map<String, String> extra) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("namespace", NS);
    settings.putAll(extra);
    return DeployRequest.of(graph, new TargetSpec("k8s", "mock/" + NS, settings),
        new DeployOptions(Duration.ofMinutes(2), Duration.ofMinutes(2), "test@host"));
  }

  /** The mock cluster the workflow tests deploy to: namespace, the hf-token Secret, a GPU node, a controller. */
  static MockCluster cluster() {
    return new MockCluster().namespace(NS).secret(NS, "hf-token", "HF_TOKEN").gpuNode("gpu-1", 16).withController(NS);
  }

  /** Temporal's test service with a worker whose Kubernetes target talks to {@code cluster}. */
  static DeployEnvironment deploys(MockCluster cluster) {
    return DeployEnvironment.serving(target(cluster.client));
  }

  /** A Kubernetes target using {@code client} (which stays its owner's to close). */
  static K8sTarget target(KubernetesClient client) {
    return new K8sTarget(KubeClients.of(client), Clock.systemUTC());
  }

  /** Starts the deploy as the CLI does (or attaches to it) and waits for its end, however it ends. */
  static DeployResult deploy(DeployEnvironment env, DeployRequest request) {
    return DeployOutcomes.await(DeployStarter.startOrAttach(env.client(), request).stub(env.client()));
  }

  static DeployContext context(Graph graph, Map<String, String> extra) {
    return new DeployContext(request(graph, extra), "deploy/k8s/mock/" + NS + "/" + graph.name(), "run-1");
  }
}

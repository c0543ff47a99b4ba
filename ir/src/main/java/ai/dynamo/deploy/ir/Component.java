package ai.dynamo.deploy.ir;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;
import java.util.Map;

/**
 * One component of a graph, normalised.
 *
 * @param name the name exactly as written (e.g. {@code http_ingress}); target-safe names are derived at render
 *     time with {@link Names}
 * @param image container image, or null when the user gave none (allowed for Slurm, refused for Kubernetes by
 *     the target checks). Placeholders such as {@code ...} are kept as written; see {@link Names#isPlaceholderImage}.
 * @param cmd the command, default {@code ["dynamo", "serve"]}
 * @param input the {@code run_config.input} as written: {@code http}, {@code text}, {@code dyn://ns.comp.endpoint}
 *     or {@code batch:<path>}
 * @param output the {@code run_config.output}: an engine name or {@code dyn}
 * @param parameters engine parameters from all three places the IR allows, merged in the order the user wrote
 *     them; the multi-node keys ({@code num_nodes}, {@code node_rank}, {@code leader_addr}) are not in here but in
 *     {@link #multiNode}
 * @param replicas number of replicas (a multi-node replica is a whole group of nodes), default 1
 * @param resources per-node resources
 * @param environment environment variables in the user's order
 * @param secrets names of whole secrets to expose to the component (Kubernetes envFrom; Slurm secret files)
 * @param nodeSelector node selector labels in the user's order
 * @param multiNode multi-node layout; {@link MultiNode#SINGLE} for ordinary components
 * @param readiness an explicit readiness rule, or null to use the default rule
 */
public record Component(
    String name,
    String image,
    List<String> cmd,
    String input,
    String output,
    List<Parameter> parameters,
    int replicas,
    Resources resources,
    List<EnvVar> environment,
    List<String> secrets,
    Map<String, String> nodeSelector,
    MultiNode multiNode,
    Readiness readiness) {

  public static final List<String> DEFAULT_CMD = List.of("dynamo", "serve");

  public Component {
    cmd = List.copyOf(cmd);
    parameters = List.copyOf(parameters);
    environment = List.copyOf(environment);
    secrets = List.copyOf(secrets);
    // Map.copyOf loses order; the user's order matters for deterministic output.
    nodeSelector = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(nodeSelector));
  }

  /** The input kind, parsed from {@link #input}. */
  @JsonIgnore // derived, not part of the serialised IR
  public InputKind inputKind() {
    return InputKind.of(input);
  }

  /** Batch components run to completion; all others are long-running services. */
  @JsonIgnore // derived, not part of the serialised IR
  public boolean isBatch() {
    return inputKind() == InputKind.BATCH;
  }

  /** The value of a parameter, or null when absent. */
  public Parameter parameter(String key) {
    return parameters.stream().filter(p -> p.key().equals(key)).findFirst().orElse(null);
  }

  /** GPUs asked for by all replicas on all their nodes. */
  @JsonIgnore // derived, not part of the serialised IR
  public long totalGpus() {
    return (long) resources.gpu() * multiNode.numNodes() * replicas;
  }
}

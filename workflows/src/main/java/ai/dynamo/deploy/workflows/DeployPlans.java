package ai.dynamo.deploy.workflows;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.InputKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@link DeployPlan} of a graph: pure, run inside the plan activity (its result is what the history
 * keeps).
 *
 * <p>Waves, the one ordering rule: components serving a {@code dyn://} endpoint (the engines) come first; front
 * ends ({@code http}, {@code text}) route to those engines and batch components consume them or share their GPUs,
 * so they come in a second wave once the engines are ready. Within a wave nothing is ordered and everything goes
 * in parallel. An empty wave is left out.
 */
public final class DeployPlans {
  private DeployPlans() {}

  public static DeployPlan plan(Graph graph, List<String> warnings) {
    List<ComponentPlan> components = new ArrayList<>();
    List<String> engines = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (Component c : graph.components()) {
      int nodes = c.multiNode().numNodes();
      components.add(new ComponentPlan(c.name(), c.replicas(), nodes, c.isBatch(), summary(c.replicas(), nodes, c.isBatch())));
      (c.inputKind() == InputKind.DYN ? engines : others).add(c.name());
    }
    List<List<String>> waves = new ArrayList<>();
    if (!engines.isEmpty()) waves.add(engines);
    if (!others.isEmpty()) waves.add(others);
    return new DeployPlan(components, waves, warnings);
  }

  /** {@code 2 replicas}, {@code 1 replica x 2 nodes}, {@code 1 batch job}. */
  static String summary(int replicas, int nodes, boolean batch) {
    String unit = batch ? (replicas == 1 ? "batch job" : "batch jobs") : (replicas == 1 ? "replica" : "replicas");
    String text = replicas + " " + unit;
    return nodes > 1 ? text + " x " + nodes + " nodes" : text;
  }
}

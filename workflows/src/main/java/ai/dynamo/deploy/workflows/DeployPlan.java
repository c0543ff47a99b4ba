package ai.dynamo.deploy.workflows;

import java.util.List;

/**
 * The result of the render/plan step: small, so that it can sit in the workflow history. Rendered artefacts are
 * not in here; activities re-render them from the IR.
 *
 * @param components per component, in graph order
 * @param waves names of components grouped in waves: the components of one wave have no order between them and
 *     go in parallel; a wave starts when the previous one is ready
 * @param warnings render warnings that do not stop the deploy
 */
public record DeployPlan(List<ComponentPlan> components, List<List<String>> waves, List<String> warnings) {
  public DeployPlan {
    components = List.copyOf(components);
    waves = waves.stream().map(List::copyOf).toList();
    warnings = List.copyOf(warnings);
  }

  public ComponentPlan component(String name) {
    return components.stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no component " + name + " in the plan"));
  }
}

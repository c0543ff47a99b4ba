package ai.dynamo.deploy.workflows;

import java.util.List;

/**
 * What a deploy is doing now; the answer of the {@code progress} query and the source of the CLI's views.
 *
 * @param graph graph name
 * @param target target kind and location, e.g. {@code slurm@login1}
 * @param phase overall phase
 * @param revision the revision this deploy creates (0 until known)
 * @param message the last overall message (why it failed, what it is waiting for)
 * @param components per component, in graph order
 * @param startedEpochMillis when the deploy started (workflow time)
 * @param updatedEpochMillis when anything last changed (workflow time)
 */
public record DeployProgress(
    String graph,
    String target,
    Phase phase,
    int revision,
    String message,
    List<ComponentProgress> components,
    long startedEpochMillis,
    long updatedEpochMillis) {
  public DeployProgress {
    components = List.copyOf(components);
  }

  /** The progress of the component named {@code name}. */
  public ComponentProgress component(String name) {
    return components.stream().filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no component " + name + " in deploy " + graph));
  }
}

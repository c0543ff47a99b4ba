package ai.dynamo.deploy.ir;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;

/**
 * A validated, normalised deployment graph (IR version 1).
 *
 * <p>Produced only by the loader after validation, so every field here is already checked: renderers and
 * workflows may trust it. It is plain data (records, lists, strings) so that Jackson and Temporal can carry
 * it; it never holds a secret value, only references to secrets by name.
 *
 * @param version the IR version as normalised by the loader (always "1.0" today)
 * @param name the graph name exactly as the user wrote it
 * @param components the components in the order the user wrote them
 */
public record Graph(String version, String name, List<Component> components) {
  public Graph {
    components = List.copyOf(components);
  }

  /** Total GPUs the graph asks for: per-node GPUs x nodes per replica x replicas, summed. */
  @JsonIgnore // derived, not part of the serialised IR
  public long totalGpus() {
    return components.stream().mapToLong(Component::totalGpus).sum();
  }
}

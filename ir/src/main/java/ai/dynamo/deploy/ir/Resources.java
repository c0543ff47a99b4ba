package ai.dynamo.deploy.ir;

/**
 * Per-node resources. Quantities are kept in Kubernetes notation as the user wrote them (validated by the
 * loader); {@link Quantities} converts them for other targets.
 *
 * @param cpu CPU quantity such as {@code 500m} or {@code 10}, or null when not given
 * @param memory memory quantity such as {@code 2Gi}, {@code 512Mi} or {@code 16G}, or null when not given
 * @param gpu GPUs per node, 0 when not given
 */
public record Resources(String cpu, String memory, int gpu) {
  public static final Resources NONE = new Resources(null, null, 0);
}

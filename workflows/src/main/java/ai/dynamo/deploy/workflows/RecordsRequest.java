package ai.dynamo.deploy.workflows;

/**
 * Asks a target for a graph's records at one place.
 *
 * @param graph graph name
 * @param target kind, location and settings (how to reach the target)
 * @param specOf also return the recorded spec of this revision: 0 none, {@link #PREVIOUS} the revision live before
 *     the current one
 */
public record RecordsRequest(String graph, TargetSpec target, int specOf) {
  public static final int PREVIOUS = -1;
}

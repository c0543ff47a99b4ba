package ai.dynamo.deploy.workflows;

/**
 * @param name component name as written in the graph
 * @param phase where it is
 * @param ready ready units (pods, or nodes of Slurm jobs)
 * @param desired desired units
 * @param message the last word from the target ("pod x: CrashLoopBackOff"), or empty
 * @param sinceEpochMillis when the component entered {@link #phase} (workflow time)
 * @param change what this deploy does to it ({@link ComponentChange#done}: {@code unchanged}, {@code updated
 *     (recreate)}, {@code added}, {@code removed}); empty until planned, and in deploys from before per-component
 *     updates
 */
public record ComponentProgress(
    String name, ComponentPhase phase, int ready, int desired, String message, long sinceEpochMillis, String change) {

  public ComponentProgress {
    change = change == null ? "" : change;
  }

  public ComponentProgress(
      String name, ComponentPhase phase, int ready, int desired, String message, long sinceEpochMillis) {
    this(name, phase, ready, desired, message, sinceEpochMillis, "");
  }
}

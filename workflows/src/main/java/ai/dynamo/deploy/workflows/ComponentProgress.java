package ai.dynamo.deploy.workflows;

/**
 * @param name component name as written in the graph
 * @param phase where it is
 * @param ready ready units (pods, or nodes of Slurm jobs)
 * @param desired desired units
 * @param message the last word from the target ("pod x: CrashLoopBackOff"), or empty
 * @param sinceEpochMillis when the component entered {@link #phase} (workflow time)
 */
public record ComponentProgress(
    String name, ComponentPhase phase, int ready, int desired, String message, long sinceEpochMillis) {}

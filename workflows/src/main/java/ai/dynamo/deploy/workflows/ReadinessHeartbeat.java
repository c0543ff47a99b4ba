package ai.dynamo.deploy.workflows;

/**
 * The heartbeat details of a readiness wait. A retried attempt (e.g. on another worker after the first died)
 * resumes from them: it keeps the original start, so the readiness timeout is not reset, and hands the target its
 * resume token. Clients read them from the pending activities of the workflow to show live counts without adding
 * events to the history (see {@link LiveProgress}).
 *
 * @param component component name
 * @param stage stage being waited for
 * @param ready ready units now
 * @param desired desired units
 * @param message the last word from the target, or empty
 * @param startedEpochMillis when the first attempt of this wait started (worker clock)
 * @param resumeToken target-specific state to resume watching (a resource version, job IDs), or empty
 */
public record ReadinessHeartbeat(
    String component,
    Stage stage,
    int ready,
    int desired,
    String message,
    long startedEpochMillis,
    String resumeToken) {}

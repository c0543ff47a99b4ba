package ai.dynamo.deploy.workflows;

/**
 * What a target records for a successful deploy (like a Helm release record), so history and rollback work
 * without Temporal.
 *
 * @param revision revision number
 * @param specDigest digest of graph plus target settings
 * @param startedBy who or what started the deploy
 * @param workflowId the deploy's workflow ID
 * @param runId the deploy's run ID
 * @param epochMillis when it became ready (workflow time)
 *     <p>Which components a revision adopted (unchanged, never applied in it) the target tells from its own state at
 *     record time (no job or object of this revision), so this input stays small whatever the graph's size.
 */
public record RevisionRecord(
    int revision, String specDigest, String startedBy, String workflowId, String runId, long epochMillis) {}

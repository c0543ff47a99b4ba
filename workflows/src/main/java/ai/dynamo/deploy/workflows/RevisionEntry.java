package ai.dynamo.deploy.workflows;

/**
 * One line of a graph's history at one place, read from the target's own records (Slurm: {@code state.json}).
 *
 * @param revision revision number
 * @param epochMillis when the entry was written (ready, or rolled back)
 * @param specDigest digest of graph plus target settings
 * @param status what became of it
 * @param startedBy who or what started it ({@link DeployOptions#startedBy})
 * @param note e.g. {@code rolled back to 1}, or why it failed
 * @param workflowId the deploy's workflow ID
 * @param runId the deploy's run ID
 */
public record RevisionEntry(
    int revision,
    long epochMillis,
    String specDigest,
    RevisionStatus status,
    String startedBy,
    String note,
    String workflowId,
    String runId) {}

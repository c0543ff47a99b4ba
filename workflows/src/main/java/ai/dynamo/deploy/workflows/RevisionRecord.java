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
 * @param changes per component what this revision did (unchanged ones are adopted as they run, removed ones go
 *     now); null for deploys started before per-component updates (every component was applied)
 */
public record RevisionRecord(
    int revision, String specDigest, String startedBy, String workflowId, String runId, long epochMillis,
    java.util.List<ComponentChange> changes) {

  public RevisionRecord(
      int revision, String specDigest, String startedBy, String workflowId, String runId, long epochMillis) {
    this(revision, specDigest, startedBy, workflowId, runId, epochMillis, null);
  }
}

package ai.dynamo.deploy.workflows;

import java.util.List;

/**
 * @param failedRevision the revision that failed (its objects or jobs go away)
 * @param previousRevision the revision to restore, 0 when this was a first install (everything created goes)
 * @param components components the failed revision touched (applied or started applying), in graph order
 * @param reason why the rollback happens, for the target's records
 */
public record RollbackRequest(int failedRevision, int previousRevision, List<String> components, String reason) {
  public RollbackRequest {
    components = List.copyOf(components);
  }
}

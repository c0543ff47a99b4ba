package ai.dynamo.deploy.workflows;

import java.util.List;

/**
 * @param failedRevision the revision that failed (its objects or jobs go away)
 * @param previousRevision the revision to restore, 0 when this was a first install (everything created goes)
 * @param components components the failed revision touched (applied or started applying), in graph order
 * @param reason why the rollback happens, for the target's records
 * @param changes the update plan's changes (a recreated component is restored from the previous revision's kept
 *     files, an unchanged one is not touched); null for deploys started before per-component updates
 */
public record RollbackRequest(
    int failedRevision, int previousRevision, List<String> components, String reason, List<ComponentChange> changes) {
  public RollbackRequest {
    components = List.copyOf(components);
    changes = changes == null ? null : List.copyOf(changes);
  }

  public RollbackRequest(int failedRevision, int previousRevision, List<String> components, String reason) {
    this(failedRevision, previousRevision, components, reason, null);
  }

  /** The change planned for {@code component}, or null when unknown (older deploys). */
  public ComponentChange change(String component) {
    if (changes == null) return null;
    return changes.stream().filter(c -> c.component().equals(component)).findFirst().orElse(null);
  }
}

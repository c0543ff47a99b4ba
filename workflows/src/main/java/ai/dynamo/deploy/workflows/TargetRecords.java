package ai.dynamo.deploy.workflows;

import java.util.List;

/**
 * A graph's records on a target.
 *
 * @param history every recorded revision, oldest first
 * @param liveRevision the live revision, 0 when none
 * @param specRevision the revision {@link #spec} belongs to (0 when none was asked)
 * @param spec the recorded spec of {@link #specRevision}, or null
 */
public record TargetRecords(List<RevisionEntry> history, int liveRevision, int specRevision, RevisionSpec spec) {
  public TargetRecords {
    history = List.copyOf(history);
  }

  /** The revision live before the current one: the newest superseded revision below it, 0 when none. */
  public static int previous(List<RevisionEntry> history, int live) {
    int best = 0;
    for (RevisionEntry e : history) {
      if (e.revision() < live && e.status() == RevisionStatus.SUPERSEDED) best = Math.max(best, e.revision());
    }
    return best;
  }
}

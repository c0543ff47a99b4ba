package ai.dynamo.deploy.activities;

/**
 * Which output {@code dynamo deploy logs} reads.
 *
 * @param component the component's name as the graph writes it
 * @param replica the replica (0-based); for a multi-node group, the group
 * @param rank a multi-node group's node rank (0: the leader), or null for the leader
 * @param revision the revision whose output to read, or 0 for the live one (else the newest that has output)
 * @param tailLines only the last lines, or a negative number for all
 * @param follow keep printing as output arrives, until interrupted
 */
public record LogRequest(String component, int replica, Integer rank, int revision, int tailLines, boolean follow) {
  /** The rank asked for, 0 (the leader) when none was. */
  public int rankOrLeader() {
    return rank == null ? 0 : rank;
  }
}

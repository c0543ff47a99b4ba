package ai.dynamo.deploy.ir;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Multi-node layout of a component. Each replica of a component with {@code numNodes > 1} is a group of
 * that many nodes; rank 0 is the leader. Rank and leader address are per-node facts the deployer computes;
 * what the user wrote for them is recorded here so renderers can honour a pinned leader host.
 *
 * @param numNodes nodes per replica, at least 1
 * @param userNodeRank the {@code node_rank} the user wrote, or null
 * @param userLeaderAddr the {@code leader_addr} the user wrote ({@code host:port}), or null
 */
public record MultiNode(int numNodes, Integer userNodeRank, String userLeaderAddr) {
  public static final MultiNode SINGLE = new MultiNode(1, null, null);

  @JsonIgnore // derived, not part of the serialised IR
  public boolean isMultiNode() {
    return numNodes > 1;
  }
}

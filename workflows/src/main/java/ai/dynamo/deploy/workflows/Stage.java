package ai.dynamo.deploy.workflows;

import ai.dynamo.deploy.ir.Component;

/**
 * Which part of a component a step acts on. Ordinary components have one stage, {@link #ALL}; each replica of a
 * multi-node group has a leader (rank 0) that must be ready before its workers are applied or started.
 */
public enum Stage {
  /** the whole component (not a multi-node group) */
  ALL,
  /** rank 0 of every replica of a multi-node group */
  LEADER,
  /** ranks 1..n-1 of every replica of a multi-node group */
  WORKERS;

  /**
   * Units (pods, Slurm nodes) this stage brings up: the one rule behind every "desired" count of the workflow, the
   * activities and the targets.
   */
  public int units(int replicas, int nodesPerReplica) {
    return switch (this) {
      case ALL -> replicas * nodesPerReplica;
      case LEADER -> replicas;
      case WORKERS -> replicas * (nodesPerReplica - 1);
    };
  }

  /** {@link #units(int, int)} of a component of the graph. */
  public int units(Component component) {
    return units(component.replicas(), component.multiNode().numNodes());
  }
}

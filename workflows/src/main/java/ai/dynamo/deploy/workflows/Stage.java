package ai.dynamo.deploy.workflows;

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
  WORKERS
}

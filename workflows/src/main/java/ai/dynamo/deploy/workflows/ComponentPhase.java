package ai.dynamo.deploy.workflows;

/** Phases of one component within a deploy. */
public enum ComponentPhase {
  PENDING,
  APPLYING,
  WAITING_LEADER,
  WAITING_WORKERS,
  WAITING,
  READY,
  FAILED,
  ROLLING_BACK,
  ROLLED_BACK,
  /** in the live revision, not in the graph: deleted once the new revision is READY */
  REMOVED
}

package ai.dynamo.deploy.workflows;

/** Phases of a whole deploy, as shown by status, progress and the {@code DynamoPhase} search attribute. */
public enum Phase {
  VALIDATING,
  RENDERING,
  PREFLIGHT,
  APPLYING,
  WAITING,
  RECORDING,
  /** a component failed and the deploy waits for a decision: retry, rollback or abort (--on-failure pause) */
  PAUSED,
  READY,
  ROLLING_BACK,
  ROLLED_BACK,
  FAILED,
  TIMED_OUT,
  CANCELLED,
  /** {@code dynamo deploy uninstall}: removing everything the graph runs on the target */
  UNINSTALLING,
  /** everything the graph ran on the target is gone */
  UNINSTALLED;

  public boolean isTerminal() {
    return this == READY || this == ROLLED_BACK || this == FAILED || this == TIMED_OUT || this == CANCELLED
        || this == UNINSTALLED;
  }
}

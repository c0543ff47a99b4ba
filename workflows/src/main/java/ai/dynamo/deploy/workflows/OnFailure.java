package ai.dynamo.deploy.workflows;

/** What a deploy does when a component fails ({@code --on-failure}). */
public enum OnFailure {
  /** roll back at once and end failed (the default) */
  ROLLBACK,
  /**
   * keep the failed state as it is and wait for a decision: {@code retry}, {@code rollback} or {@code abort}
   * (Temporal Updates); nobody deciding within {@link DeployOptions#pauseTimeout} rolls back
   */
  PAUSE
}

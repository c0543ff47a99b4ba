package ai.dynamo.deploy.workflows;

import java.time.Duration;

/**
 * How to deploy. Fields added later are null (or 0) in requests of older clients and histories; the workflow
 * reads them through {@link #withDefaults}.
 *
 * @param readinessTimeout how long one component may take to become ready (model loading can take an hour)
 * @param rollbackTimeout the separate time budget of a rollback
 * @param startedBy who or what started the deploy (user@host, CI job), recorded in the revision
 * @param onFailure roll back at once, or pause for a decision; null means {@link OnFailure#ROLLBACK}
 * @param pauseTimeout how long a paused deploy waits for a decision before it rolls back by itself; null means
 *     {@link #DEFAULT_PAUSE_TIMEOUT}
 * @param restoresRevision when this deploy re-deploys a recorded revision ({@code rollback --to-revision N}): N,
 *     recorded in the new revision as "rolled back to N"; 0 for an ordinary deploy
 */
public record DeployOptions(
    Duration readinessTimeout,
    Duration rollbackTimeout,
    String startedBy,
    OnFailure onFailure,
    Duration pauseTimeout,
    int restoresRevision) {
  public static final Duration DEFAULT_READINESS_TIMEOUT = Duration.ofMinutes(90);
  public static final Duration DEFAULT_ROLLBACK_TIMEOUT = Duration.ofMinutes(15);
  /** A night: a failure at 2 am can wait for someone to look in the morning, then it rolls back. */
  public static final Duration DEFAULT_PAUSE_TIMEOUT = Duration.ofHours(12);

  /** The options of the first release: roll back on failure. */
  public DeployOptions(Duration readinessTimeout, Duration rollbackTimeout, String startedBy) {
    this(readinessTimeout, rollbackTimeout, startedBy, OnFailure.ROLLBACK, DEFAULT_PAUSE_TIMEOUT, 0);
  }

  public static DeployOptions defaults(String startedBy) {
    return new DeployOptions(DEFAULT_READINESS_TIMEOUT, DEFAULT_ROLLBACK_TIMEOUT, startedBy);
  }

  /** The same options, pausing on failure for at most {@code timeout} (null: the default). */
  public DeployOptions pausingOnFailure(Duration timeout) {
    return new DeployOptions(readinessTimeout, rollbackTimeout, startedBy, OnFailure.PAUSE,
        timeout == null ? DEFAULT_PAUSE_TIMEOUT : timeout, restoresRevision);
  }

  /** The same options for a deploy that restores revision {@code revision}. */
  public DeployOptions restoring(int revision) {
    return new DeployOptions(readinessTimeout, rollbackTimeout, startedBy, onFailure, pauseTimeout, revision);
  }

  /** The same options, started by someone else (a retry or rollback is recorded under who ran it). */
  public DeployOptions withStartedBy(String who) {
    return new DeployOptions(readinessTimeout, rollbackTimeout, who, onFailure, pauseTimeout, restoresRevision);
  }

  /** Missing options get their defaults: a null here would fail every workflow task, forever. */
  public static DeployOptions withDefaults(DeployOptions given) {
    if (given == null) return defaults("");
    return new DeployOptions(
        given.readinessTimeout() == null ? DEFAULT_READINESS_TIMEOUT : given.readinessTimeout(),
        given.rollbackTimeout() == null ? DEFAULT_ROLLBACK_TIMEOUT : given.rollbackTimeout(),
        given.startedBy() == null ? "" : given.startedBy(),
        given.onFailure() == null ? OnFailure.ROLLBACK : given.onFailure(),
        given.pauseTimeout() == null ? DEFAULT_PAUSE_TIMEOUT : given.pauseTimeout(),
        given.restoresRevision());
  }
}

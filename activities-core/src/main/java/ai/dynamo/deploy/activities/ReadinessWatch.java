package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.workflows.ReadinessHeartbeat;
import java.time.Duration;
import java.util.Optional;

/**
 * What a target's readiness wait reports to, and sleeps through. Each report heartbeats (so progress shows live
 * counts and a dead worker is noticed) and enforces the readiness timeout, counted from the first attempt.
 */
public interface ReadinessWatch {

  /** The last heartbeat of an earlier attempt of this wait, when this attempt is a retry (e.g. on a new worker). */
  Optional<ReadinessHeartbeat> resumedFrom();

  /**
   * Reports the current state.
   *
   * @param resumeToken target state a retried attempt needs to resume (resource version, job IDs), or empty
   * @throws TargetFailure of type ReadinessTimeout when the wait has run out of time
   */
  void report(int ready, int desired, String message, String resumeToken);

  /** Sleeps between polls, heartbeating the last report; throws when the activity is cancelled or times out. */
  void pause(Duration duration);
}

package ai.dynamo.deploy.workflows;

import java.time.Duration;

/**
 * @param readinessTimeout how long one component may take to become ready (model loading can take an hour)
 * @param rollbackTimeout the separate time budget of a rollback
 * @param startedBy who or what started the deploy (user@host, CI job), recorded in the revision
 */
public record DeployOptions(Duration readinessTimeout, Duration rollbackTimeout, String startedBy) {
  public static final Duration DEFAULT_READINESS_TIMEOUT = Duration.ofMinutes(90);
  public static final Duration DEFAULT_ROLLBACK_TIMEOUT = Duration.ofMinutes(15);

  public static DeployOptions defaults(String startedBy) {
    return new DeployOptions(DEFAULT_READINESS_TIMEOUT, DEFAULT_ROLLBACK_TIMEOUT, startedBy);
  }
}

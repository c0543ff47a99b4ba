package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.workflows.DeployFailures;

/**
 * A failure a target reports with a type from {@link DeployFailures}: the activities turn it into an
 * {@code ApplicationFailure} of that type (non-retryable for the types retrying cannot fix). Anything else a
 * target throws is treated as transient and retried. Messages are shown to the user as they are: never put a
 * secret value in one.
 */
public class TargetFailure extends RuntimeException {
  private final String type;

  public TargetFailure(String type, String message) {
    super(message);
    this.type = type;
  }

  public TargetFailure(String type, String message, Throwable cause) {
    super(message, cause);
    this.type = type;
  }

  public String type() {
    return type;
  }

  public boolean nonRetryable() {
    return DeployFailures.isNonRetryable(type);
  }

  public static TargetFailure invalidIr(String message) {
    return new TargetFailure(DeployFailures.INVALID_IR, message);
  }

  public static TargetFailure authenticationRefused(String message) {
    return new TargetFailure(DeployFailures.AUTHENTICATION_REFUSED, message);
  }

  public static TargetFailure unknownHostKey(String message) {
    return new TargetFailure(DeployFailures.UNKNOWN_HOST_KEY, message);
  }

  /** The target cannot be reached or used as configured (checked before anything is applied): not retried. */
  public static TargetFailure unusable(String message) {
    return new TargetFailure(DeployFailures.TARGET_UNUSABLE, message);
  }

  public static TargetFailure quotaExceeded(String message) {
    return new TargetFailure(DeployFailures.QUOTA_EXCEEDED, message);
  }

  public static TargetFailure preflightFailed(String message) {
    return new TargetFailure(DeployFailures.PREFLIGHT_FAILED, message);
  }

  public static TargetFailure applyConflict(String message) {
    return new TargetFailure(DeployFailures.APPLY_CONFLICT, message);
  }

  public static TargetFailure componentFailed(String message) {
    return new TargetFailure(DeployFailures.COMPONENT_FAILED, message);
  }

  public static TargetFailure readinessTimeout(String message) {
    return new TargetFailure(DeployFailures.READINESS_TIMEOUT, message);
  }

  /** A transient failure: retried with backoff. */
  public static TargetFailure transientFailure(String message, Throwable cause) {
    return new TargetFailure("TargetUnavailable", message, cause);
  }

  /** The target does not offer {@code what} yet: not retried. */
  public static TargetFailure notSupported(String kind, String what) {
    return new TargetFailure(DeployFailures.NOT_SUPPORTED, what + " is not supported by the " + kind + " target yet");
  }
}

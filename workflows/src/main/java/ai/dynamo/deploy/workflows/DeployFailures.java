package ai.dynamo.deploy.workflows;

import java.util.List;

/**
 * Failure type names, in one place. Activities raise {@code ApplicationFailure}s with these types; the ones in
 * {@link #NON_RETRYABLE} are never retried (retrying cannot fix them), everything else is transient and retried
 * with backoff.
 */
public final class DeployFailures {
  private DeployFailures() {}

  /** the IR is not valid for the target (names, settings, an image Kubernetes cannot pull) */
  public static final String INVALID_IR = "InvalidIr";
  /** the target refused our credentials (SSH key refused, Kubernetes 401) */
  public static final String AUTHENTICATION_REFUSED = "AuthenticationRefused";
  /** the SSH host key is unknown or changed; the message carries the fingerprint and how to trust it */
  public static final String UNKNOWN_HOST_KEY = "UnknownHostKey";
  /**
   * the target cannot be reached or used as configured, found before anything is applied: a host or jump host
   * that does not answer, a login node without Slurm's commands, a remote directory the user may not write
   */
  public static final String TARGET_UNUSABLE = "TargetUnusable";
  /** a quota or limit of the target refuses the request (ResourceQuota, Slurm association limits) */
  public static final String QUOTA_EXCEEDED = "QuotaExceeded";
  /** a precondition is missing: namespace, permission, a Secret the graph references */
  public static final String PREFLIGHT_FAILED = "PreflightFailed";
  /** server-side apply conflicts with another field manager */
  public static final String APPLY_CONFLICT = "ApplyConflict";
  /** a unit failed for good (CrashLoopBackOff, ImagePullBackOff, Slurm job FAILED): waiting longer cannot help */
  public static final String COMPONENT_FAILED = "ComponentFailed";
  /** a component did not become ready within the readiness timeout */
  public static final String READINESS_TIMEOUT = "ReadinessTimeout";
  /** the target does not offer this yet (e.g. history on a target that keeps none) */
  public static final String NOT_SUPPORTED = "NotSupported";
  /** the workflow's own failure: the deploy failed (details: the {@link DeployResult}) */
  public static final String DEPLOY_FAILED = "DeployFailed";

  /** Types that retrying cannot fix: the activity fails at once with the message the user needs. */
  public static final List<String> NON_RETRYABLE =
      List.of(
          INVALID_IR,
          AUTHENTICATION_REFUSED,
          UNKNOWN_HOST_KEY,
          TARGET_UNUSABLE,
          QUOTA_EXCEEDED,
          PREFLIGHT_FAILED,
          APPLY_CONFLICT,
          COMPONENT_FAILED,
          READINESS_TIMEOUT,
          NOT_SUPPORTED);

  public static boolean isNonRetryable(String type) {
    return NON_RETRYABLE.contains(type);
  }
}

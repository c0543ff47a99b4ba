package ai.dynamo.deploy.render;

import ai.dynamo.deploy.ir.TargetSettingKeys;

/**
 * The values rendering gives target settings where the user does not: the readiness timeout's default and bounds.
 * The keys themselves are {@link TargetSettingKeys} (in {@code ir}, so that the workflows and the CLI spell them from
 * the same declaration).
 */
public final class TargetSettings {
  private TargetSettings() {}

  /** 90 minutes: the deploy's default {@code --timeout} (a test keeps the two equal). */
  public static final long DEFAULT_READINESS_TIMEOUT_SECONDS = 5400;
  /** A year: the most a timeout may be (the probe fields are 32-bit in Kubernetes' API). */
  public static final long MAX_READINESS_TIMEOUT_SECONDS = 365L * 24 * 3600;

  /**
   * The value of {@link TargetSettingKeys#READINESS_TIMEOUT_SECONDS} for a deploy's timeout: whole seconds rounded up
   * (a window is never shorter than the wait), at most {@link #MAX_READINESS_TIMEOUT_SECONDS} (the CLI refuses
   * longer).
   */
  public static String readinessTimeoutSeconds(java.time.Duration timeout) {
    long seconds = Math.max(1, timeout.plusNanos(999_999_999).getSeconds());
    return Long.toString(Math.min(seconds, MAX_READINESS_TIMEOUT_SECONDS));
  }
}

package ai.dynamo.deploy.render.k8s;

import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.render.TargetSettings;
import java.util.Map;

/**
 * How long a pod may take to start: as long as the deploy waits for it ({@link
 * TargetSettingKeys#READINESS_TIMEOUT_SECONDS}, the deploy's {@code --timeout}). Loading a large model (tens of GB of
 * weights downloaded, then loaded onto GPUs) can take longer than an hour; a startup probe that gave up sooner would
 * have the kubelet kill a model the deploy is still willing to wait for, and restart its load from the start.
 *
 * @param seconds the window; the startup probe allows at least this long and a Deployment's progress deadline more
 */
record StartupWindow(long seconds) {
  /** Probe period of the startup and readiness probes. */
  static final int PROBE_PERIOD_SECONDS = 10;

  /**
   * How much longer than the startup window a Deployment's rollout may make no progress before Kubernetes marks it
   * {@code ProgressDeadlineExceeded} (the deploy fails at once on it): Kubernetes' own default deadline, so a pod
   * still inside its window never trips it.
   */
  static final int PROGRESS_DEADLINE_MARGIN_SECONDS = 600;

  static final long MAX_SECONDS = TargetSettings.MAX_READINESS_TIMEOUT_SECONDS;

  /** The window of the settings; the default when absent. */
  static StartupWindow of(Map<String, String> settings) {
    String value = settings.get(TargetSettingKeys.READINESS_TIMEOUT_SECONDS);
    if (value == null) return new StartupWindow(TargetSettings.DEFAULT_READINESS_TIMEOUT_SECONDS);
    String problem = problem(value);
    if (problem != null) {
      throw new IllegalArgumentException("setting " + TargetSettingKeys.READINESS_TIMEOUT_SECONDS + ": " + problem);
    }
    return new StartupWindow(Long.parseLong(value));
  }

  /** What is wrong with a value, or null. */
  static String problem(String value) {
    long seconds;
    try {
      seconds = Long.parseLong(value);
    } catch (NumberFormatException e) {
      return "\"" + value + "\" is not a whole number of seconds";
    }
    // the probe's and the deadline's fields are int32 in the API; a year is far beyond any deploy
    return seconds < 1 || seconds > MAX_SECONDS
        ? "\"" + value + "\" must be between 1 and " + MAX_SECONDS + " seconds (a year)" : null;
  }

  /** Failed startup probes allowed: the window in whole periods, rounded up, so the probe never gives up sooner. */
  int failureThreshold() {
    return (int) ((seconds + PROBE_PERIOD_SECONDS - 1) / PROBE_PERIOD_SECONDS);
  }

  /** A Deployment's {@code progressDeadlineSeconds}: longer than any startup the window allows. */
  int progressDeadlineSeconds() {
    return failureThreshold() * PROBE_PERIOD_SECONDS + PROGRESS_DEADLINE_MARGIN_SECONDS;
  }
}

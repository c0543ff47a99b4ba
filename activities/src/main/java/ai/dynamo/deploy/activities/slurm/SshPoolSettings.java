package ai.dynamo.deploy.activities.slurm;

import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the worker keeps SSH connections ({@link SshConnectionPool}), from its environment.
 *
 * @param acrossRuns whether a new deploy run may take a connection another run left
 * @param idle how long an unused connection is kept
 */
record SshPoolSettings(boolean acrossRuns, Duration idle) {
  private static final Logger log = LoggerFactory.getLogger(SshConnectionPool.class);
  /** Worker environment: reuse across runs unless this is {@code false}. */
  static final String REUSE_ENV = "DYNAMO_SSH_REUSE_ACROSS_RUNS";
  /** Worker environment: seconds an unused connection is kept (1-3600). */
  static final String IDLE_ENV = "DYNAMO_SSH_IDLE_SECONDS";
  static final SshPoolSettings DEFAULTS = new SshPoolSettings(true, Duration.ofSeconds(30));

  /** From the worker's environment; a bad value is logged with the variable's name and the default used. */
  static SshPoolSettings fromEnvironment(Map<String, String> env) {
    boolean across = DEFAULTS.acrossRuns();
    String reuse = env.get(REUSE_ENV);
    if (reuse != null && !reuse.isBlank()) {
      if (reuse.strip().equals("false") || reuse.strip().equals("true")) {
        across = reuse.strip().equals("true");
      } else {
        log.warn("{}={} is neither true nor false; using {}", REUSE_ENV, reuse, across);
      }
    }
    Duration idle = DEFAULTS.idle();
    String seconds = env.get(IDLE_ENV);
    if (seconds != null && !seconds.isBlank()) {
      try {
        long s = Long.parseLong(seconds.strip());
        if (s < 1 || s > 3600) throw new NumberFormatException("out of range");
        idle = Duration.ofSeconds(s);
      } catch (NumberFormatException e) {
        log.warn("{}={} is not a number of seconds from 1 to 3600; using {}", IDLE_ENV, seconds, idle.toSeconds());
      }
    }
    return new SshPoolSettings(across, idle);
  }
}

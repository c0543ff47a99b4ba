package ai.dynamo.deploy.cli.daemon;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Which command lines the daemon runs: the one place that says so. Only short verbs that read from Temporal and
 * print: no verb that writes files, waits, follows or asks, so that running one in the daemon or in a process of
 * its own can differ in nothing but time. {@code --debug} runs in-process, because logging is set per process.
 */
public final class DaemonRoute {
  /** {@code off} disables the daemon: every command runs in its own process, as before it existed. */
  public static final String SWITCH_ENV = "DYNAMO_DAEMON";
  /** How long an idle daemon stays, e.g. {@code 10m}, {@code 90s}. */
  public static final String IDLE_ENV = "DYNAMO_DAEMON_IDLE";

  public static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);

  /** The verbs of {@code dynamo deploy} that may run in the daemon. */
  public static final Set<String> DEPLOY_VERBS = Set.of("status", "list", "history");

  /** Options after which the command stays in-process: logging set-up, and following a deploy. */
  private static final Set<String> IN_PROCESS_OPTIONS = Set.of("--debug", "--wait");

  private DaemonRoute() {}

  /** Whether the daemon is allowed at all in this environment. */
  public static boolean enabled(Map<String, String> env) {
    return !"off".equalsIgnoreCase(env.getOrDefault(SWITCH_ENV, "").trim());
  }

  /** Whether {@code args} may run in the daemon. */
  public static boolean routes(String[] args, Map<String, String> env) {
    if (!enabled(env) || args.length < 2 || !args[0].equals("deploy") || !DEPLOY_VERBS.contains(args[1])) {
      return false;
    }
    for (String a : args) {
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (IN_PROCESS_OPTIONS.contains(name)) return false;
    }
    return true;
  }
}

package ai.dynamo.deploy.cli.daemon;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Which command lines the daemon runs: the one place that says so. The short verbs that read from Temporal and
 * print ({@code deploy status|list|history}), {@code deploy status NAME --wait}, and a deploy's start
 * ({@code deploy -f FILE}, with or without {@code --wait}): nothing that writes files ({@code --out_dir}), reads
 * standard input or asks, so that running one in the daemon or in a process of its own can differ in nothing but
 * time. {@code --debug} runs in-process, because logging is set per process. A deploy that would embed a Temporal
 * service is handed back by the daemon to run in its own process ({@code RunInCallersProcess}). A wrong "no" here
 * costs time, never correctness.
 */
public final class DaemonRoute {
  /** {@code off} disables the daemon: every command runs in its own process, as before it existed. */
  public static final String SWITCH_ENV = "DYNAMO_DAEMON";
  /** How long an idle daemon stays, e.g. {@code 10m}, {@code 90s}. */
  public static final String IDLE_ENV = "DYNAMO_DAEMON_IDLE";

  public static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);

  /** The verbs of {@code dynamo deploy} that may run in the daemon. */
  public static final Set<String> DEPLOY_VERBS = Set.of("status", "list", "history");

  /**
   * Every verb of {@code dynamo deploy} (Main's SUBVERBS; DaemonRouteTest checks they agree): a command line that
   * names one anywhere, bar as {@code --on-failure}'s value, is not taken for a deploy's start.
   */
  public static final Set<String> ALL_DEPLOY_VERBS = Set.of("status", "list", "cancel", "retry", "rollback", "abort",
      "history", "diff", "uninstall", "logs");

  /** What the daemon runs, for its refusal of anything else. */
  static final String DESCRIPTION = "'dynamo deploy status|list|history' (status also with --wait) and"
      + " 'dynamo deploy -f FILE' (also with --wait), without --debug or --out_dir";

  /** Options after which the command stays in-process: logging set-up. */
  private static final Set<String> IN_PROCESS_OPTIONS = Set.of("--debug");
  /** And for a deploy's start: rendering files instead. */
  private static final Set<String> START_IN_PROCESS_OPTIONS = Set.of("--debug", "--out_dir", "--out-dir");

  private DaemonRoute() {}

  /** Whether the daemon is allowed at all in this environment. */
  public static boolean enabled(Map<String, String> env) {
    return !"off".equalsIgnoreCase(env.getOrDefault(SWITCH_ENV, "").trim());
  }

  /** Whether {@code args} may run in the daemon. */
  public static boolean routes(String[] args, Map<String, String> env) {
    if (!enabled(env) || args.length < 2 || !args[0].equals("deploy")) return false;
    if (DEPLOY_VERBS.contains(args[1])) {
      // --wait follows: only status's (a deploy's follow, the same code); list and history have none.
      return !has(args, IN_PROCESS_OPTIONS) && (args[1].equals("status") || !has(args, Set.of("--wait")));
    }
    return startsADeploy(args);
  }

  /** {@code deploy [options] -f FILE [options]}: a graph file (not standard input), no verb, nothing rendered. */
  private static boolean startsADeploy(String[] args) {
    if (has(args, START_IN_PROCESS_OPTIONS)) return false;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--")) return false; // what follows is positional: not worth guessing
      if (ALL_DEPLOY_VERBS.contains(args[i]) && !args[i - 1].equals("--on-failure")) return false;
    }
    String file = graphFile(args);
    return file != null && !file.isEmpty() && !file.equals("-");
  }

  /** The value of {@code -f}/{@code --file} as picocli reads it ({@code -f X}, {@code -fX}, {@code --file=X}). */
  private static String graphFile(String[] args) {
    String file = null;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-f") || a.equals("--file")) file = i + 1 < args.length ? args[i + 1] : null;
      else if (a.startsWith("--file=")) file = a.substring("--file=".length());
      else if (a.startsWith("-f") && !a.startsWith("--")) file = a.substring(a.startsWith("-f=") ? 3 : 2);
    }
    return file;
  }

  private static boolean has(String[] args, Set<String> options) {
    for (String a : args) {
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (options.contains(name)) return true;
    }
    return false;
  }
}

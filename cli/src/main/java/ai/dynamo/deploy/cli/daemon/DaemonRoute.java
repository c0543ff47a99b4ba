package ai.dynamo.deploy.cli.daemon;

import ai.dynamo.deploy.activities.slurm.SshOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Which command lines the daemon runs: the one place that says so. The verbs of {@code deploy} that act through
 * Temporal alone ({@code status|list|history}, {@code cancel|retry|rollback|abort|uninstall} and {@code diff}; with
 * {@code --wait} for those that take it), and a deploy's start ({@code deploy -f FILE}, with or without
 * {@code --wait}): nothing that writes files ({@code --out_dir}), reads standard input or asks, so that running one
 * in the daemon or in a process of its own can differ in nothing but time. {@code logs} runs in-process: it reaches
 * the target from the CLI's own process, whose SSH key passphrase and agent, and the Kubernetes client's environment
 * (proxies, a kubeconfig's credential plugins), the daemon cannot take from its caller. {@code --debug} runs
 * in-process, because logging is set per process, and so does a command line naming a file under {@code /dev/} or
 * {@code /proc/} ({@code /dev/stdin}, a {@code <(...)} substitution's {@code /dev/fd/N}), in an argument or in a
 * variable the command reads as a file: such a file is the process's own; so does a caller whose environment holds
 * an SSH key passphrase, which the daemon does not keep. A deploy that would embed a Temporal
 * service, and a command whose Slurm settings name a relative ssh config (read by the CLI, relative to the caller's
 * directory), are handed back by the daemon to run in their own process ({@code RunInCallersProcess}). A wrong "no"
 * here costs time, never correctness.
 */
public final class DaemonRoute {
  /** {@code off} disables the daemon: every command runs in its own process, as before it existed. */
  public static final String SWITCH_ENV = "DYNAMO_DAEMON";
  /** How long an idle daemon stays, e.g. {@code 10m}, {@code 90s}. */
  public static final String IDLE_ENV = "DYNAMO_DAEMON_IDLE";

  public static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);

  /** The verbs of {@code dynamo deploy} that may run in the daemon. */
  public static final Set<String> DEPLOY_VERBS = Set.of("status", "list", "history", "cancel", "retry", "rollback",
      "abort", "uninstall", "diff");

  /** Those of them that take {@code --wait} (a follow of the run, Ctrl-C included, as in their own process). */
  static final Set<String> WAIT_VERBS = Set.of("status", "retry", "rollback", "uninstall");

  /**
   * Every verb of {@code dynamo deploy} (Main's SUBVERBS; DaemonRouteTest checks they agree): a command line that
   * names one anywhere, bar as {@code --on-failure}'s value, is not taken for a deploy's start.
   */
  public static final Set<String> ALL_DEPLOY_VERBS = Set.of("status", "list", "cancel", "retry", "rollback", "abort",
      "history", "diff", "uninstall", "logs");

  /** What the daemon runs, for its refusal of anything else. */
  static final String DESCRIPTION = "'dynamo deploy status|list|history|cancel|retry|rollback|abort|uninstall|diff'"
      + " (status, retry, rollback and uninstall also with --wait) and 'dynamo deploy -f FILE' (also with --wait),"
      + " without --debug, --out_dir, a file under /dev/ or /proc/, or " + SshOptions.PASSPHRASE_ENV
      + " in the environment";

  /** Options after which the command stays in-process: logging set-up. */
  private static final Set<String> IN_PROCESS_OPTIONS = Set.of("--debug");
  /** And for a deploy's start: rendering files instead. */
  private static final Set<String> START_IN_PROCESS_OPTIONS = Set.of("--debug", "--out_dir", "--out-dir");
  /** Temporal's variables that name files: relative ones mean the caller's directory, not the daemon's. */
  static final Set<String> PATH_VARIABLES = Set.of("TEMPORAL_CONFIG_FILE", "TEMPORAL_TLS_CLIENT_CERT_PATH",
      "TEMPORAL_TLS_CLIENT_KEY_PATH", "TEMPORAL_TLS_SERVER_CA_CERT_PATH");

  /**
   * An encrypted key's passphrase, which the SSH logins read from the process's environment: the daemon keeps none
   * (a secret), so they would fail there where the caller's own process logs in. (A compile-time constant: the thin
   * client loads no class of activities for it.)
   */
  private static final String PASSPHRASE_ENV = SshOptions.PASSPHRASE_ENV;

  /** Where a path names the reading process's own files (its standard input, its descriptors). */
  private static final java.util.List<String> PROCESS_FILES = java.util.List.of("/dev/", "/proc/");

  private DaemonRoute() {}

  /** Whether the daemon is allowed at all in this environment. */
  public static boolean enabled(Map<String, String> env) {
    return !"off".equalsIgnoreCase(env.getOrDefault(SWITCH_ENV, "").trim());
  }

  /** Whether {@code args} may run in the daemon. */
  public static boolean routes(String[] args, Map<String, String> env) {
    if (!enabled(env) || args.length < 2 || !args[0].equals("deploy")) return false;
    if (namesProcessFiles(args, env) || !env.getOrDefault(PASSPHRASE_ENV, "").isEmpty()) return false;
    if (DEPLOY_VERBS.contains(args[1])) {
      return !has(args, IN_PROCESS_OPTIONS) && (WAIT_VERBS.contains(args[1]) || !has(args, Set.of("--wait")));
    }
    return startsADeploy(args);
  }

  /**
   * Whether an argument's value ({@code X}, {@code --opt=X}, {@code -fX}) or a file variable the command reads
   * ({@code KUBECONFIG}, Temporal's) is a path under {@code /dev/} or {@code /proc/}.
   */
  private static boolean namesProcessFiles(String[] args, Map<String, String> env) {
    for (String a : args) {
      if (processFile(a) || (a.contains("=") && processFile(a.substring(a.indexOf('=') + 1)))
          || (a.startsWith("-") && !a.startsWith("--") && a.length() > 2 && processFile(a.substring(2)))) {
        return true;
      }
    }
    for (String name : PATH_VARIABLES) {
      if (processFile(env.getOrDefault(name, ""))) return true;
    }
    for (String file : env.getOrDefault("KUBECONFIG", "").split(java.io.File.pathSeparator, -1)) {
      if (processFile(file)) return true;
    }
    return false;
  }

  /** {@code /dev/null} reads the same in every process: {@code --ssh-config /dev/null} ("no ssh config") is routed. */
  private static boolean processFile(String path) {
    return !path.equals("/dev/null") && PROCESS_FILES.stream().anyMatch(path::startsWith);
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

package ai.dynamo.deploy.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Where the libraries' logs go (Temporal SDK, gRPC, fabric8, sshj): the command's output is its interface, so
 * without {@code --debug} they go to a file of this run under {@code $XDG_STATE_HOME/dynamo/} (default
 * {@code ~/.local/state/dynamo/}), named on stderr when the command fails. {@code dynamo server}, a development
 * service in someone's terminal, logs to a file of its own ({@code server-*.log}, named in its banner): the SDK logs
 * every failed activity with its stack trace, and a typo'd flag is no reason for a screen of Java. With
 * {@code --debug}, and for the long-running {@code dynamo worker} and {@code dynamo daemon} (whose logs belong to
 * journald or kubectl logs), to stderr. Must run before anything logs: the logger reads its configuration once.
 */
final class LogSetup {
  /** How many log files of earlier runs are kept. */
  static final int KEEP = 20;

  private LogSetup() {}

  /** Verbs that run no library that logs (no Temporal, Kubernetes or SSH client), and the root's own help. */
  private static final Set<String> WITHOUT_LIBRARIES = Set.of("validate", "completion", "help");

  /** @return the log file of this run, or null when logs go to stderr or nothing can log */
  static Path configure(String[] args, Map<String, String> env) {
    // Set up nothing where nothing logs: the logging set-up is a sizeable part of a short verb's start-up.
    if (!runsLibraries(args)) return null;
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    if (toStderr(args)) return null;
    Path dir = directory(env);
    try {
      Files.createDirectories(dir);
      // A server's file has a prefix of its own, so that twenty short commands do not prune a running server's file.
      String prefix = "server".equals(Verbs.named(args)) ? SERVER_PREFIX : "dynamo-";
      prune(dir, prefix);
      Path file = dir.resolve(prefix + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
          + "-" + ProcessHandle.current().pid() + ".log");
      System.setProperty("org.slf4j.simpleLogger.logFile", file.toString());
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
      System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
      return file;
    } catch (IOException e) {
      System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
      return null;
    }
  }

  /** False for {@code dynamo --help}, {@code -V}, {@code validate}, {@code completion} and {@code help}. */
  static boolean runsLibraries(String[] args) {
    String verb = Verbs.named(args);
    return verb != null && !WITHOUT_LIBRARIES.contains(verb);
  }

  /** {@code --debug} anywhere, or a long-running verb whose logs are collected (worker, daemon). */
  static boolean toStderr(String[] args) {
    for (String a : args) {
      if (a.equals("--debug")) return true;
    }
    String verb = Verbs.named(args);
    return "worker".equals(verb) || "daemon".equals(verb);
  }

  /** The name prefix of {@code dynamo server}'s log files. */
  static final String SERVER_PREFIX = "server-";

  /** The file the libraries log to in this process, or null when they log to stderr (or were never set up). */
  static Path currentFile() {
    String file = System.getProperty("org.slf4j.simpleLogger.logFile");
    return file == null || file.equals("System.err") || file.equals("System.out") ? null : Path.of(file);
  }

  static Path directory(Map<String, String> env) {
    String state = env.get("XDG_STATE_HOME");
    Path base = state != null && !state.isBlank() ? Path.of(state) : Path.of(System.getProperty("user.home"), ".local", "state");
    return base.resolve("dynamo");
  }

  /**
   * What to add to a failing command's error output: where its logs are, when a library warned or failed there.
   * Nothing for a file of INFO lines only (a client's "shutdown"): a {@code deploy status} of a failed deploy exits
   * non-zero without anything having gone wrong in this run.
   */
  static String whereOnFailure(Path file) {
    if (file == null) return null;
    try (Stream<String> lines = Files.lines(file)) {
      if (lines.limit(MAX_LINES_SCANNED).anyMatch(LogSetup::warnsOrWorse)) return "(library logs of this run: " + file + ")";
    } catch (IOException | java.io.UncheckedIOException e) {
      // no file or not readable: nothing to point at
    }
    return null;
  }

  /** How many lines of a run's log are looked at for a warning (a run's log is a few hundred lines at most). */
  static final int MAX_LINES_SCANNED = 100_000;

  private static final java.util.regex.Pattern LEVEL = java.util.regex.Pattern.compile("^(?:\\S+ ){0,3}(WARN|ERROR) ");

  /** A simple-logger line at WARN or ERROR: {@code [time] [thread] LEVEL logger - message}. */
  static boolean warnsOrWorse(String line) {
    return LEVEL.matcher(line).find();
  }

  /** Removes this run's file when nothing was logged. */
  static void finish(Path file) {
    try {
      if (file != null && Files.size(file) == 0) Files.delete(file);
    } catch (IOException e) {
      // left for the next run's pruning
    }
  }

  /** Keeps the newest {@link #KEEP} - 1 files of {@code prefix}, so with this run's there are at most {@link #KEEP}. */
  private static void prune(Path dir, String prefix) throws IOException {
    List<Path> logs;
    try (Stream<Path> files = Files.list(dir)) {
      logs = files.filter(p -> p.getFileName().toString().startsWith(prefix)
              && p.getFileName().toString().endsWith(".log"))
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
    }
    for (Path old : logs.subList(Math.min(logs.size(), KEEP - 1), logs.size())) Files.deleteIfExists(old);
  }
}

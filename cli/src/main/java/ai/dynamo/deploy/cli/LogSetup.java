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
 * {@code ~/.local/state/dynamo/}), named on stderr when the command fails; with {@code --debug}, and for the
 * long-running {@code dynamo worker} and {@code dynamo server} (whose logs belong to journald or kubectl logs), to
 * stderr. Must run before anything logs: the logger reads its configuration once.
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
      prune(dir);
      Path file = dir.resolve("dynamo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
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

  /** {@code --debug} anywhere, or a long-running verb. */
  static boolean toStderr(String[] args) {
    for (String a : args) {
      if (a.equals("--debug")) return true;
    }
    String verb = Verbs.named(args);
    return "worker".equals(verb) || "server".equals(verb) || "daemon".equals(verb);
  }

  static Path directory(Map<String, String> env) {
    String state = env.get("XDG_STATE_HOME");
    Path base = state != null && !state.isBlank() ? Path.of(state) : Path.of(System.getProperty("user.home"), ".local", "state");
    return base.resolve("dynamo");
  }

  /** What to add to a failing command's error output: where its logs are (nothing when none were written). */
  static String whereOnFailure(Path file) {
    try {
      if (file != null && Files.size(file) > 0) return "(library logs of this run: " + file + ")";
    } catch (IOException e) {
      // no file, nothing to point at
    }
    return null;
  }

  /** Removes this run's file when nothing was logged. */
  static void finish(Path file) {
    try {
      if (file != null && Files.size(file) == 0) Files.delete(file);
    } catch (IOException e) {
      // left for the next run's pruning
    }
  }

  /** Keeps the newest {@link #KEEP} - 1 files, so with this run's there are at most {@link #KEEP}. */
  private static void prune(Path dir) throws IOException {
    List<Path> logs;
    try (Stream<Path> files = Files.list(dir)) {
      logs = files.filter(p -> p.getFileName().toString().matches("dynamo-.*\\.log"))
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
    }
    for (Path old : logs.subList(Math.min(logs.size(), KEEP - 1), logs.size())) Files.deleteIfExists(old);
  }
}

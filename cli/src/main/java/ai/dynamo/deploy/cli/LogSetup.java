package ai.dynamo.deploy.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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

  /** @return the log file of this run, or null when logs go to stderr */
  static Path configure(String[] args, Map<String, String> env) {
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

  /** {@code --debug} anywhere, or a long-running verb. */
  static boolean toStderr(String[] args) {
    String verb = null;
    for (String a : args) {
      if (a.equals("--debug")) return true;
      if (verb == null && !a.startsWith("-")) verb = a;
    }
    return "worker".equals(verb) || "server".equals(verb);
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

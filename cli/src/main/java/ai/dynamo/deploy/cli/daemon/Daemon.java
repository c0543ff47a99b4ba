package ai.dynamo.deploy.cli.daemon;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code dynamo daemon run|status|stop}: the daemon's life, and what a user can ask it. */
public final class Daemon {
  /** How often a daemon checks whether it is idle or its jar changed. */
  static final Duration CHECK_EVERY = Duration.ofSeconds(2);
  /** How long a new daemon waits for an old one (of a replaced build) to release the lock. */
  private static final Duration LOCK_WAIT = Duration.ofSeconds(5);
  /** How long requests still running when the daemon stops may take to finish. */
  private static final Duration DRAIN = Duration.ofSeconds(60);

  private Daemon() {}

  /**
   * Runs the daemon of this jar until it stops (idle, jar changed, asked to); returns the exit code. Only one runs
   * per jar: a second one finds the lock taken and ends at once.
   */
  public static int run(Map<String, String> env, Duration idle, PrintWriter log) {
    StringBuilder problem = new StringBuilder();
    Optional<SocketDirectory> dir = SocketDirectory.open(socketDirectory(env), problem);
    if (dir.isEmpty()) {
      log.println("dynamo daemon: not started: " + problem);
      return 2;
    }
    JarIdentity jar = JarIdentity.ofThisProcess();
    try (FileChannel lockFile = FileChannel.open(dir.get().lock(jar.path()), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock lock = waitForLock(lockFile)) {
      if (lock == null) {
        log.println("dynamo daemon: another one serves " + jar.path());
        return 0;
      }
      try (DaemonRequests requests = new DaemonRequests()) {
        // Before listening: a command that finds no socket yet runs in its own JVM (as quick as ever) rather than
        // waiting here for classes to load.
        requests.warmUp(log);
        serve(dir.get(), jar, idle, requests, log);
      }
      return 0;
    } catch (IOException e) {
      log.println("dynamo daemon: " + e.getMessage());
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static void serve(SocketDirectory dir, JarIdentity jar, Duration idle, DaemonRequests requests,
      PrintWriter log) throws IOException, InterruptedException {
    try (DaemonServer server = DaemonServer.start(dir.socket(jar.path()), jar, idle, CHECK_EVERY, requests, log)) {
      server.awaitStop();
      if (!server.awaitRequests(DRAIN)) log.println("dynamo daemon: requests still running after " + DRAIN);
      if (!jar.equals(jar.now())) {
        // Its classes are gone from disk: closing normally could need one not loaded yet (NoClassDefFoundError).
        // The socket is already removed; the lock goes with the process.
        log.flush();
        Runtime.getRuntime().halt(0);
      }
    }
  }

  /** {@code dynamo daemon status}: prints what the daemon of this jar says of itself; 1 when none runs. */
  public static int status(Map<String, String> env, PrintWriter out) {
    return ask(Wire.STATUS, env, out);
  }

  /** {@code dynamo daemon stop}: stops the daemon of this jar; 1 when none runs. */
  public static int stop(Map<String, String> env, PrintWriter out) {
    return ask(Wire.STOP, env, out);
  }

  private static int ask(byte kind, Map<String, String> env, PrintWriter out) {
    StringBuilder problem = new StringBuilder();
    Optional<SocketDirectory> dir = SocketDirectory.open(socketDirectory(env), problem);
    JarIdentity jar = JarIdentity.ofThisProcess();
    if (dir.isPresent()) {
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      Wire.Request request = new Wire.Request(kind, jar.encoded(), "", false, List.of(), Map.of());
      if (DaemonClient.send(dir.get().socket(jar.path()), request, answer, answer).ranThere()) {
        out.print(answer.toString(Charset.defaultCharset()));
        out.flush();
        return 0;
      }
    }
    String why = dir.isEmpty() ? "refused: " + problem + " (commands run in their own process)"
        : !DaemonRoute.enabled(env) ? "disabled by " + DaemonRoute.SWITCH_ENV + "=off"
        : "none runs; the next command it runs starts one (docs/cli.md, \"The daemon\")";
    out.println("dynamo daemon for " + jar.path() + ": " + why);
    return 1;
  }

  private static Path socketDirectory(Map<String, String> env) {
    return SocketDirectory.location(env, System.getProperty("user.home"));
  }

  private static FileLock waitForLock(FileChannel file) throws IOException, InterruptedException {
    long end = System.nanoTime() + LOCK_WAIT.toNanos();
    while (true) {
      FileLock lock = file.tryLock();
      if (lock != null || System.nanoTime() > end) return lock;
      Thread.sleep(100);
    }
  }
}

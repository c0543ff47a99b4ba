package ai.dynamo.deploy.cli.daemon;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a daemon in the background for the next command: in a session of its own ({@code setsid}), so that
 * Ctrl-C on the user's command, which signals the terminal's foreground process group, does not reach it; its
 * output to the log file beside its socket; no terminal for input.
 */
final class DaemonLauncher {
  /**
   * What the daemon process itself reads: where its socket is, its idle time, the locale of its output, and the SSH
   * agent of status's live check on Slurm (sshj reads the process's {@code SSH_AUTH_SOCK}; a caller's KUBECONFIG is
   * passed with each request instead).
   */
  private static final java.util.Set<String> KEPT_VARIABLES = java.util.Set.of("PATH", "HOME", "USER", "LANG",
      "LC_ALL", "LC_CTYPE", "XDG_RUNTIME_DIR", "XDG_STATE_HOME", "TZ", "SSH_AUTH_SOCK", DaemonRoute.IDLE_ENV);

  /** The daemon's log is appended to by every daemon of this jar: past this size it starts afresh, one kept. */
  static final long LOG_LIMIT = 1024 * 1024;

  private DaemonLauncher() {}

  /** Starts one and returns at once; a failure to start only costs the next command its speed. */
  static void startInBackground(SocketDirectory dir, JarIdentity jar) {
    List<String> command = new ArrayList<>();
    Path setsid = Path.of("/usr/bin/setsid");
    if (Files.isExecutable(setsid)) command.add(setsid.toString());
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // A long-running JVM: both compilers, the serial collector (one request at a time, mostly) and a small heap.
    command.addAll(List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:-UsePerfData", "-cp",
        System.getProperty("java.class.path"), "ai.dynamo.deploy.cli.Main", "daemon", "run"));
    Path log = dir.log(jar.path());
    rotate(log, LOG_LIMIT);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectErrorStream(true);
    // The daemon needs none of the caller's variables (each request brings its own): none of them, secrets
    // included, should sit in a long-lived process's environment.
    builder.environment().keySet().retainAll(KEPT_VARIABLES);
    try {
      builder.start();
    } catch (IOException e) {
      // no daemon this time: the command already ran here
    }
  }

  /**
   * Moves {@code log} to {@code <log>.1} (replacing an older one) once it is over {@code limit} bytes, so that a
   * daemon started every idle period for months does not fill the runtime directory (often a small tmpfs).
   */
  static void rotate(Path log, long limit) {
    try {
      if (Files.size(log) > limit) {
        Files.move(log, log.resolveSibling(log.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      // no log yet, or another command moved it first: appending goes on either way
    }
  }
}

package ai.dynamo.deploy.render.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Readiness;
import ai.dynamo.deploy.ir.ShellQuote;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's readiness watcher under real bash against real sockets on 127.0.0.1: each change of the rule's outcome is
 * one status line, in order, and nothing else is written (its checks run in the watcher's own shell, see
 * {@link JobStatusScript#watcher}).
 */
class JobStatusWatcherBashTest {
  @TempDir Path tmp;

  @Test
  void aTcpRuleReportsThePortOpeningAndClosing() throws Exception {
    int port = freePort();
    Path status = tmp.resolve("status");
    Process job = startWatcher(new Readiness(Readiness.Type.TCP, port, null), status);
    try {
      awaitStates(status, List.of("unready"));
      try (ServerSocket listening = listen(port)) {
        awaitStates(status, List.of("unready", "ready"));
      }
      awaitStates(status, List.of("unready", "ready", "unready"));
    } finally {
      job.destroyForcibly();
    }
  }

  @Test
  void anHttpRuleIsReadyOnlyOnASuccessfulAnswer() throws Exception {
    AtomicInteger code = new AtomicInteger(503);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/health", x -> {
      x.sendResponseHeaders(code.get(), -1);
      x.close();
    });
    server.start();
    Path status = tmp.resolve("status");
    Process job = startWatcher(new Readiness(Readiness.Type.HTTP, server.getAddress().getPort(), "/health"), status);
    try {
      // Listening but answering 503: the port alone is not enough.
      awaitStates(status, List.of("unready"));
      code.set(200);
      awaitStates(status, List.of("unready", "ready"));
    } finally {
      job.destroyForcibly();
      server.stop(0);
    }
  }

  @Test
  void anHttpProbeReadsTheWholeAnswerSoTheServerNeverWritesIntoAClosedConnection() throws Exception {
    // A server that sends its status line first and the rest a moment later, as a slow one does: a probe that hung
    // up after the status line makes a later write fail (a reset, which servers log for every probe).
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread serving = new Thread(() -> {
      while (!server.isClosed()) {
        try (java.net.Socket c = server.accept()) {
          java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(c.getInputStream()));
          while (!in.readLine().isEmpty()) { /* the request's head */ }
          java.io.OutputStream out = c.getOutputStream();
          try {
            out.write("HTTP/1.0 200 OK\r\n".getBytes());
            out.flush();
            Thread.sleep(300);
            out.write("Content-Type: text/plain\r\n\r\n".getBytes());
            out.flush();
            Thread.sleep(100);
            out.write("ok\n".repeat(1000).getBytes());
            out.flush();
            answered.incrementAndGet();
          } catch (IOException e) {
            failed.incrementAndGet();
          }
        } catch (IOException | InterruptedException | RuntimeException e) {
          // closed at the end of the test
        }
      }
    });
    serving.start();
    Path status = tmp.resolve("status");
    Process job = startWatcher(new Readiness(Readiness.Type.HTTP, server.getLocalPort(), "/health"), status);
    try {
      awaitStates(status, List.of("ready"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (answered.get() + failed.get() < 3 && System.nanoTime() < deadline) Thread.sleep(50);
      assertTrue(answered.get() >= 3, "probes answered: " + answered);
      assertEquals(0, failed.get(), "writes into a connection the probe had closed");
    } finally {
      job.destroyForcibly();
      server.close();
    }
  }

  /**
   * A status line's time is UTC with milliseconds, the same from bash's own clock (bash 5: EPOCHREALTIME, no
   * process) and from date (the fallback where the variable is missing, as in bash 4), in a time zone that is not UTC.
   */
  @Test
  void aStatusLineIsStampedInUtcWithMillisecondsWithOrWithoutEpochRealtime() throws Exception {
    for (String clock : List.of("", "unset EPOCHREALTIME\n")) {
      Path status = tmp.resolve("status" + clock.length());
      Path script = tmp.resolve("state.sh");
      Files.writeString(script, "set -uo pipefail\nDYN_STATUS_FILE=" + ShellQuote.quote(status.toString()) + "\n"
          + clock + JobStatusScript.STATE_HELPER + "dyn_state started 'on node1'\n");
      java.time.Instant before = java.time.Instant.now().minusMillis(1);
      ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
      pb.environment().put("SLURM_JOB_ID", "7");
      pb.environment().put("TZ", "America/New_York");
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes());
      assertTrue(p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0, out);
      java.time.Instant after = java.time.Instant.now().plusMillis(1);
      String line = Files.readString(status);
      assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z 7 started on node1\n"),
          clock + line);
      java.time.Instant at = java.time.Instant.parse(line.substring(0, line.indexOf(' ')));
      assertTrue(!at.isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)) && !at.isAfter(after),
          clock + at + " is not between " + before + " and " + after);
    }
  }

  /** The watcher as a job script starts it, in a shell that then waits (the job's processes). */
  private Process startWatcher(Readiness rule, Path status) throws IOException {
    Path script = tmp.resolve("job.sh");
    Files.writeString(script, "set -uo pipefail\nDYN_STATUS_FILE=" + ShellQuote.quote(status.toString()) + "\n"
        + JobStatusScript.STATE_HELPER + "DYN_PROBE_HOST=127.0.0.1\n" + JobStatusScript.watcher(rule)
        + JobStatusScript.START_WATCHER + "exec sleep 120\n");
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString());
    pb.environment().put("SLURM_JOB_ID", "5");
    return pb.redirectErrorStream(true).redirectOutput(tmp.resolve("job.out").toFile()).start();
  }

  /** Waits (bounded, not timed) until the status file holds exactly these states. */
  private static void awaitStates(Path status, List<String> states) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    List<String> seen = List.of();
    while (System.nanoTime() < deadline) {
      seen = Files.exists(status)
          ? Files.readAllLines(status).stream().map(l -> l.split(" ", 4)[2]).toList() : List.of();
      if (seen.size() >= states.size()) break;
      Thread.sleep(50);
    }
    assertEquals(states, seen, "status lines of " + status);
    for (String l : Files.readAllLines(status)) assertTrue(l.matches("\\S+Z 5 (ready|unready)"), l);
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return s;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}

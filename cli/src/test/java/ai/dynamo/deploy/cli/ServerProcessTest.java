package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.temporal.LocalTemporal;
import ai.dynamo.deploy.ir.ExampleGraphs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process-level tests. The issue's: {@code dynamo server} in one process, {@code dynamo deploy --wait} in another;
 * the deploy client is killed mid-wait, run again, attaches to the same run and sees it finish. And a
 * {@code dynamo worker} process running a deploy and stopping on SIGTERM.
 */
@Timeout(180)
class ServerProcessTest {
  @TempDir Path dir;

  /** A started JVM running {@code dynamo ...}, with its merged stdout/stderr readable line by line. */
  static final class Dynamo implements AutoCloseable {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final List<String> seen = new ArrayList<>();

    Dynamo(Map<String, String> env, String... args) throws IOException {
      this(env, List.of(), args);
    }

    /** With options for the JVM (e.g. {@code -Dname=value}) before the main class. */
    Dynamo(Map<String, String> env, List<String> jvmOptions, String... args) throws IOException {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path")));
      command.addAll(jvmOptions);
      command.add(Main.class.getName());
      command.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().putAll(env);
      process = pb.start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) lines.add(line);
        } catch (IOException ignored) {
          // the process ended
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    /** Reads lines until one matches; fails with everything seen when none does in time. */
    String await(Predicate<String> match, String what) throws InterruptedException {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (System.nanoTime() < end) {
        String line = lines.poll(1, TimeUnit.SECONDS);
        if (line == null) continue;
        seen.add(line);
        if (match.test(line)) return line;
      }
      throw new AssertionError("no line " + what + " in:\n" + String.join("\n", seen));
    }

    int exit() throws InterruptedException {
      assertTrue(process.waitFor(90, TimeUnit.SECONDS), "process ends");
      // drain what is left for the assertions
      for (String line; (line = lines.poll(200, TimeUnit.MILLISECONDS)) != null; ) seen.add(line);
      return process.exitValue();
    }

    @Override
    public void close() {
      if (!process.isAlive()) return;
      process.toHandle().destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void aKilledClientReattachesToTheSameRunAndSeesItFinish() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path graph = Files.writeString(dir.resolve("demo.yaml"), ExampleGraphs.text(ExampleGraphs.DEMO));
    Map<String, String> clientEnv = Map.of(
        "TEMPORAL_ADDRESS", "127.0.0.1:" + port,
        "TEMPORAL_CONFIG_FILE", dir.resolve("no-temporal.toml").toString());
    String[] deploy = {"deploy", "--target", "fake", "--set", "location=process-test",
        "--set", "fake.readyAfterSeconds=6", "-f", graph.toString(), "--wait"};

    try (Dynamo server = new Dynamo(Map.of(), "server", "--port", Integer.toString(port))) {
      String announced = server.await(l -> l.startsWith("Temporal development service on 127.0.0.1:" + port),
          "announcing the server");
      assertTrue(announced.matches(".*\\(targets: fake, k8s, slurm; warmed up in [0-9]+\\.[0-9] s\\)\\. Stop with.*"),
          announced);

      String runId;
      try (Dynamo first = new Dynamo(clientEnv, deploy)) {
        String started = first.await(l -> l.startsWith("Started deploy "), "starting the deploy");
        assertTrue(started.startsWith("Started deploy deploy/fake/process-test/demo (run "), started);
        runId = started.substring(started.indexOf("(run ") + 5, started.length() - 1);
        first.await(l -> l.contains(": WAITING"), "showing the deploy waiting");
        // SIGTERM, as Ctrl-C's SIGINT would: the client detaches, the deploy goes on. (ProcessHandle.destroy,
        // unlike Process.destroy, leaves our end of its output open so we can read the detach message.)
        first.process.toHandle().destroy();
        first.await(l -> l.startsWith("Detached; the deploy keeps running."), "the detach message");
        first.exit();
      }

      try (Dynamo second = new Dynamo(clientEnv, deploy)) {
        String attached = second.await(l -> l.startsWith("Attached to running deploy "), "attaching");
        assertEquals("Attached to running deploy deploy/fake/process-test/demo (run " + runId + ")", attached);
        second.await(l -> l.startsWith("READY: "), "the deploy finishing");
        assertEquals(ExitCodes.OK, second.exit(), String.join("\n", second.seen));
      }
    }
  }

  @Test
  void aWorkerProcessRunsDeploysAndStopsOnSigterm() throws Exception {
    try (LocalTemporal temporal = LocalTemporal.start(0)) {
      String address = temporal.connection().address();
      Path graph = Files.writeString(dir.resolve("demo.yaml"), ExampleGraphs.text(ExampleGraphs.DEMO));
      Map<String, String> env = Map.of(
          "TEMPORAL_CONFIG_FILE", dir.resolve("no-temporal.toml").toString());
      try (Dynamo worker = new Dynamo(env, "worker", "--address", address, "--grace", "5s")) {
        // It warms up before it polls (docs/workflow.md "Worker warm-up"), and says so when nothing failed in it.
        String polling = worker.await(l -> l.startsWith("dynamo worker polling task queue dynamo-deploy at " + address),
            "the worker starting");
        assertTrue(polling.matches(".*; targets: fake, k8s, slurm; warmed up in [0-9]+\\.[0-9] s\\)\\. Stop with.*"),
            polling);
        CliRun deploy = CliRun.of("deploy", "--target", "fake", "--set", "location=worker-process", "-f",
            graph.toString(), "--wait", "--address", address);
        assertEquals(ExitCodes.OK, deploy.exitCode(), deploy.out() + deploy.err());
        worker.process.toHandle().destroy(); // SIGTERM: stop polling, finish in-flight work, exit
        assertTrue(worker.process.waitFor(60, TimeUnit.SECONDS), "the worker stops after SIGTERM");
      }
    }
  }
}

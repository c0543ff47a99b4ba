package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.dynamo.deploy.ir.Readiness;
import ai.dynamo.deploy.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The readiness probes, run from the login node in one command: TCP, HTTP status classes, RUNNING. */
class PortProbeClusterTest {

  @Test
  void tcpAndHttpRulesAreCheckedFromTheLoginNode(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("health"), "ok");
    int port = FreePorts.take();
    int closed = FreePorts.take();
    Process server = new ProcessBuilder("python3", "-m", "http.server", "--bind", "127.0.0.1", String.valueOf(port))
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
    try (ClusterFixture fx = new ClusterFixture("probe")) {
      PortProbe probe = new PortProbe(fx.ssh);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!probe.ready(new Readiness(Readiness.Type.TCP, port, null), "localhost") && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      List<Boolean> results = probe.ready(List.of(
          new PortProbe.Target(new Readiness(Readiness.Type.TCP, port, null), "localhost"),
          new PortProbe.Target(new Readiness(Readiness.Type.HTTP, port, "/health"), "localhost"),
          new PortProbe.Target(new Readiness(Readiness.Type.HTTP, port, "/missing"), "localhost"),
          new PortProbe.Target(new Readiness(Readiness.Type.TCP, closed, null), "localhost"),
          new PortProbe.Target(new Readiness(Readiness.Type.HTTP, closed, "/"), "localhost"),
          new PortProbe.Target(new Readiness(Readiness.Type.RUNNING, null, null), "localhost"),
          new PortProbe.Target(new Readiness(Readiness.Type.HTTP, port, "/it's $(id)"), "localhost")));
      assertEquals(List.of(true, true, false, false, false, true, false), results);
    } finally {
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }
}

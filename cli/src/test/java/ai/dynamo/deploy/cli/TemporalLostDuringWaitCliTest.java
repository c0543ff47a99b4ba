package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.ir.ExampleGraphs;
import ai.dynamo.deploy.testing.fake.FakeTarget;
import ai.dynamo.deploy.worker.DeployRegistration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Temporal stops while {@code deploy status --wait} follows a deploy: the wait ends with exit code 4 and a message
 * naming the address, not with "waiting for a dynamo worker" and then an SDK error without one (exit 1).
 */
class TemporalLostDuringWaitCliTest {
  @TempDir Path dir;

  @Test
  @Timeout(180) // guards the test only; the bound is the client's request deadline
  void aWaitWhoseTemporalStopsEndsWithExitCode4NamingTheAddress() throws Exception {
    LocalService service = LocalService.start(0, DeployRegistration.of(new FakeTarget()));
    String address = service.connection().address();
    try {
      Path graph = Files.writeString(dir.resolve("demo.yaml"), ExampleGraphs.text(ExampleGraphs.DEMO));
      CliRun started = CliRun.of("deploy", "--target", "fake", "--set", "location=lost", "--set",
          "fake.neverReady=frontend", "-f", graph.toString(), "--address", address);
      assertEquals(ExitCodes.OK, started.exitCode(), started.err());
      CompletableFuture<CliRun> waiting = CompletableFuture.supplyAsync(() -> CliRun.of("deploy", "status",
          "deploy/fake/lost/demo", "--wait", "--address", address));
      Thread.sleep(2000); // the wait is following (the deploy never becomes ready)
      service.shutdown(Duration.ofSeconds(5));
      CliRun run = waiting.get();
      assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), run.out() + run.err());
      assertTrue(run.err().contains("cannot reach Temporal at " + address), run.err());
    } finally {
      service.shutdown(Duration.ofSeconds(5));
    }
  }
}

package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.ir.ExampleGraphs;
import ai.dynamo.deploy.testing.fake.FakeTarget;
import ai.dynamo.deploy.worker.DeployRegistration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dynamo deploy} (Temporal mode), {@code status}, {@code list} and {@code cancel} through the picocli layer. */
class DeployTemporalCommandTest {
  static LocalService service;
  static String address;
  @TempDir static Path dir;
  static Path graph;

  @BeforeAll
  static void start() throws Exception {
    service = LocalService.start(0, DeployRegistration.of(new FakeTarget()));
    address = service.connection().address();
    graph = Files.writeString(dir.resolve("demo.yaml"), ExampleGraphs.text(ExampleGraphs.DEMO));
  }

  @AfterAll
  static void stop() {
    service.shutdown(Duration.ofSeconds(5));
  }

  @Test
  void deployWaitFollowsToReadyAndExitsZero() {
    CliRun run = CliRun.of("deploy", "--target", "fake", "--set", "location=cli-ready", "-f", graph.toString(),
        "--wait", "--address", address);
    assertEquals(ExitCodes.OK, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().startsWith("Started deploy deploy/fake/cli-ready/demo (run "), run.out());
    assertTrue(run.out().lines().anyMatch(l -> l.startsWith("  sglang_group: READY")), run.out());
    assertTrue(run.out().lines().anyMatch(l -> l.startsWith("READY: ")), run.out());
  }

  @Test
  void aFailedDeployExitsOneAndATimedOutOneExitsThree() {
    CliRun failed = CliRun.of("deploy", "--target", "fake", "--set", "location=cli-failed", "--set",
        "fake.failComponent=frontend", "-f", graph.toString(), "--wait", "--address", address);
    assertEquals(ExitCodes.DEPLOY_FAILED, failed.exitCode(), failed.out() + failed.err());
    assertTrue(failed.err().startsWith("ROLLED_BACK: "), failed.err());
    CliRun timedOut = CliRun.of("deploy", "--target", "fake", "--set", "location=cli-timeout", "--set",
        "fake.neverReady=frontend", "-f", graph.toString(), "--wait", "--timeout", "2s", "--address", address);
    assertEquals(ExitCodes.TIMED_OUT, timedOut.exitCode(), timedOut.out() + timedOut.err());
  }

  @Test
  void withoutWaitItPrintsTheWorkflowIdAndHowToFollow() throws Exception {
    CliRun run = CliRun.of("deploy", "--target", "fake", "--set", "location=cli-nowait", "--set", "fake.readyAfterSeconds=60",
        "-f", graph.toString(), "--address", address);
    assertEquals(ExitCodes.OK, run.exitCode(), run.err());
    assertTrue(run.out().contains("deploy/fake/cli-nowait/demo"), run.out());
    assertTrue(run.out().contains("dynamo deploy status deploy/fake/cli-nowait/demo --wait"), run.out());

    // status by graph name plus target flags, as JSON
    CliRun status = CliRun.of("deploy", "status", "demo", "--target", "fake", "--set", "location=cli-nowait",
        "-o", "json", "--address", address);
    assertEquals(ExitCodes.OK, status.exitCode(), status.err());
    JsonNode json = new ObjectMapper().readTree(status.out());
    assertEquals("deploy/fake/cli-nowait/demo", json.get("workflowId").asText());
    assertEquals("RUNNING", json.get("status").asText());
    assertEquals("demo", json.get("graph").asText());
    assertEquals(3, json.get("components").size());
    assertTrue(json.get("components").get(0).has("ready"));

    CliRun yaml = CliRun.of("deploy", "status", "deploy/fake/cli-nowait/demo", "-o", "yaml", "--address", address);
    assertTrue(yaml.out().contains("workflowId: \"deploy/fake/cli-nowait/demo\"")
        || yaml.out().contains("workflowId: deploy/fake/cli-nowait/demo"), yaml.out());

    CliRun list = CliRun.of("deploy", "list", "--address", address);
    assertEquals(ExitCodes.OK, list.exitCode(), list.err());
    assertTrue(list.out().startsWith("GRAPH"), list.out());
    assertTrue(list.out().lines().anyMatch(l -> l.matches("demo +fake +cli-nowait +(APPLYING|WAITING) +1 +[-0-9: ]+ +-")),
        list.out());

    CliRun cancel = CliRun.of("deploy", "cancel", "deploy/fake/cli-nowait/demo", "--address", address);
    assertEquals(ExitCodes.OK, cancel.exitCode(), cancel.err());
    CliRun waited = CliRun.of("deploy", "status", "deploy/fake/cli-nowait/demo", "--wait", "--address", address);
    assertEquals(ExitCodes.DEPLOY_FAILED, waited.exitCode(), waited.out() + waited.err());
    assertTrue(waited.err().contains("CANCELLED"), waited.err());
  }

  @Test
  void aTargetThatRefusesUsIsExitCodeFourAndAMissingPreconditionIsOne() {
    CliRun refused = CliRun.of("deploy", "--target", "fake", "--set", "location=cli-refused", "--set",
        "fake.preflightFailure=AuthenticationRefused", "-f", graph.toString(), "--wait", "--address", address);
    assertEquals(ExitCodes.UNREACHABLE, refused.exitCode(), refused.out() + refused.err());
    assertTrue(refused.err().startsWith("FAILED: "), refused.err());
    CliRun precondition = CliRun.of("deploy", "--target", "fake", "--set", "location=cli-precondition", "--set",
        "fake.preflightFailure=PreflightFailed", "-f", graph.toString(), "--wait", "--address", address);
    assertEquals(ExitCodes.DEPLOY_FAILED, precondition.exitCode(), precondition.out() + precondition.err());
  }

  @Test
  void aSlurmDeployWithoutLoginHostOfAGraphDeployedOnNoSlurmIsRefusedBeforeStarting() {
    // Without --ssh-host the graph's Slurm place is looked up by name (deploy again where it is); there is none.
    CliRun run = CliRun.of("deploy", "--target", "slurm", "-f", graph.toString(), "--address", address);
    assertEquals(ExitCodes.INVALID, run.exitCode(), run.err());
    assertTrue(run.err().contains("a Slurm deploy needs the login node: give --ssh-host"), run.err());
    assertFalse(run.out().contains("Started deploy"), run.out());
  }

  @Test
  void anUnreachableTemporalIsExitCodeFour() {
    CliRun run = CliRun.of("deploy", "list", "--address", "127.0.0.1:1");
    assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), run.err());
    assertTrue(run.err().contains("cannot reach Temporal at 127.0.0.1:1"), run.err());
  }
}

package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.action.ScriptedDeployWorkflow;
import ai.dynamo.deploy.cli.temporal.LocalTemporal;
import ai.dynamo.deploy.cli.temporal.SearchAttributeRegistration;
import ai.dynamo.deploy.cli.temporal.TemporalConnection;
import ai.dynamo.deploy.ir.ExampleGraphs;
import ai.dynamo.deploy.worker.DeployWorker;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dynamo deploy} (Temporal mode), {@code status}, {@code list} and {@code cancel} through the picocli layer. */
class DeployTemporalCommandTest {
  static LocalTemporal temporal;
  static WorkflowServiceStubs stubs;
  static DeployWorker worker;
  static String address;
  @TempDir static Path dir;
  static Path graph;

  @BeforeAll
  static void start() throws Exception {
    temporal = LocalTemporal.start(0);
    TemporalConnection connection = temporal.connection();
    stubs = connection.connect();
    SearchAttributeRegistration.register(stubs, connection.namespace());
    worker = DeployWorker.start(connection.client(stubs),
        w -> w.registerWorkflowImplementationTypes(ScriptedDeployWorkflow.class));
    address = connection.address();
    graph = Files.writeString(dir.resolve("demo.yaml"), ExampleGraphs.text(ExampleGraphs.DEMO));
  }

  @AfterAll
  static void stop() {
    worker.shutdown(Duration.ofSeconds(5));
    stubs.shutdown();
    temporal.close();
  }

  @Test
  void deployWaitFollowsToReadyAndExitsZero() {
    CliRun run = CliRun.of("deploy", "--target", "fake", "--set", "location=cli-ready", "-f", graph.toString(),
        "--wait", "--address", address);
    assertEquals(ExitCodes.OK, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().startsWith("Started deploy deploy/fake/cli-ready/demo (run "), run.out());
    assertTrue(run.out().contains("  sglang_group: READY 1/1"), run.out());
    assertTrue(run.out().contains("READY: all components ready"), run.out());
  }

  @Test
  void aFailedDeployExitsOneAndATimedOutOneExitsThree() {
    CliRun failed = CliRun.of("deploy", "--target", "fake", "--set", "location=cli-failed", "--set", "outcome=FAILED",
        "-f", graph.toString(), "--wait", "--address", address);
    assertEquals(ExitCodes.DEPLOY_FAILED, failed.exitCode(), failed.out() + failed.err());
    assertTrue(failed.err().contains("FAILED: scripted FAILED"), failed.err());
    CliRun timedOut = CliRun.of("deploy", "--target", "fake", "--set", "location=cli-timeout", "--set",
        "outcome=TIMED_OUT", "-f", graph.toString(), "--wait", "--timeout", "10m", "--address", address);
    assertEquals(ExitCodes.TIMED_OUT, timedOut.exitCode(), timedOut.out() + timedOut.err());
  }

  @Test
  void withoutWaitItPrintsTheWorkflowIdAndHowToFollow() throws Exception {
    CliRun run = CliRun.of("deploy", "--target", "fake", "--set", "location=cli-nowait", "--set", "stepMillis=3000",
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
    assertTrue(list.out().lines().anyMatch(l -> l.startsWith("deploy/fake/cli-nowait/demo") && l.contains("RUNNING")),
        list.out());

    CliRun cancel = CliRun.of("deploy", "cancel", "deploy/fake/cli-nowait/demo", "--address", address);
    assertEquals(ExitCodes.OK, cancel.exitCode(), cancel.err());
    CliRun waited = CliRun.of("deploy", "status", "deploy/fake/cli-nowait/demo", "--wait", "--address", address);
    assertEquals(ExitCodes.DEPLOY_FAILED, waited.exitCode(), waited.out() + waited.err());
    assertTrue(waited.err().contains("CANCELLED"), waited.err());
  }

  @Test
  void aSlurmDeployWithoutLoginHostIsRefusedBeforeConnecting() {
    CliRun run = CliRun.of("deploy", "--target", "slurm", "-f", graph.toString(), "--address", "127.0.0.1:1");
    assertEquals(ExitCodes.INVALID, run.exitCode(), run.err());
    assertTrue(run.err().contains("--ssh-host"), run.err());
  }

  @Test
  void anUnreachableTemporalIsExitCodeFour() {
    CliRun run = CliRun.of("deploy", "list", "--address", "127.0.0.1:1");
    assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), run.err());
    assertTrue(run.err().contains("cannot reach Temporal at 127.0.0.1:1"), run.err());
  }
}

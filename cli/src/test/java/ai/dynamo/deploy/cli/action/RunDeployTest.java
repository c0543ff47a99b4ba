package ai.dynamo.deploy.cli.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.cli.temporal.TemporalConnection;
import ai.dynamo.deploy.ir.ExampleGraphs;
import ai.dynamo.deploy.testing.fake.FakeTarget;
import ai.dynamo.deploy.worker.DeployRegistration;
import ai.dynamo.deploy.workflows.DeployOptions;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which Temporal service an unconfigured {@code dynamo deploy} uses: a local dynamo server, else an embedded one. */
class RunDeployTest {
  @TempDir Path dir;

  private TemporalConnection unconfigured() {
    Map<String, String> env = Map.of("TEMPORAL_CONFIG_FILE", dir.resolve("none.toml").toString());
    return TemporalConnection.resolve(null, null, null, env, dir);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void withNothingConfiguredOrRunningItEmbedsAServiceSaysSoAndWaits() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new RunDeploy(unconfigured(), new PrintWriter(out, true), new PrintWriter(err, true))
        .localPort(freePort())
        .pollInterval(Duration.ofMillis(100))
        .run(ExampleGraphs.demo(), TargetChoice.of("fake", null, Map.of("location", "embedded")),
            DeployOptions.defaults("test"), false);
    assertEquals(ExitCodes.OK, code, out + "\n" + err);
    assertEquals(1, err.toString().lines().filter(l -> l.startsWith("No Temporal service configured")).count(), err.toString());
    assertTrue(out.toString().lines().anyMatch(l -> l.startsWith("READY: ")), "embedded implies --wait: " + out);
  }

  @Test
  void withNothingConfiguredItUsesADynamoServerOnTheLocalPort() throws Exception {
    try (LocalService server = LocalService.start(0, DeployRegistration.of(new FakeTarget()))) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = new RunDeploy(unconfigured(), new PrintWriter(out, true), new PrintWriter(err, true))
          .localPort(server.port())
          .run(ExampleGraphs.demo(), TargetChoice.of("fake", null, Map.of("location", "local-server")),
              DeployOptions.defaults("test"), false);
      assertEquals(ExitCodes.OK, code, err.toString());
      assertFalse(err.toString().contains("embedded"), err.toString());
      assertTrue(out.toString().contains("dynamo deploy status deploy/fake/local-server/demo --wait"), out.toString());
      // the deploy lives on the server, not in the client: it is there after the client returned
      WorkflowExecutionStatus status =
          server.client().newUntypedWorkflowStub("deploy/fake/local-server/demo").describe().getStatus();
      assertTrue(status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
          || status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED, status.toString());
    }
  }
}

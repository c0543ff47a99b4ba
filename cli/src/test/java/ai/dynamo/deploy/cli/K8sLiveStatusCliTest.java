package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.testing.k8s.MockKubeconfig;
import ai.dynamo.deploy.worker.DeployRegistration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dynamo deploy status} shows the live state beside the recorded one, on fabric8's MOCK API server (no real
 * cluster runs here) with the simulated controller: after READY, the front end's Deployment loses its available
 * replicas (the controller is paused and the status written as a real one would leave it), and status says so while
 * still showing READY as recorded; {@code --recorded} skips the check; an API server that is gone is named, with the
 * recorded state still shown.
 */
@Timeout(240)
class K8sLiveStatusCliTest {
  private static final String NS = "llm";
  private static final String IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.4.0";

  @TempDir Path dir;
  @RegisterExtension @Order(1)
  final MockCluster cluster = new MockCluster().namespace(NS).withController(NS);
  @RegisterExtension @Order(2) final MockKubeconfig mockKubeconfig = new MockKubeconfig(cluster);
  private LocalService service;

  @BeforeEach
  void setUp() throws Exception {
    service = LocalService.start(0, DeployRegistration.production());
  }

  @AfterEach
  void tearDown() {
    service.shutdown(Duration.ofSeconds(5));
  }

  private CliRun dynamo(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--address", service.connection().address()));
    return CliRun.of(all.toArray(String[]::new));
  }

  private void deployed() throws Exception {
    Path graph = Files.writeString(dir.resolve("g.yaml"), String.join("\n",
        "version: 1",
        "name: g",
        "components:",
        "  - name: frontend",
        "    image: " + IMAGE,
        "    run_config: {input: http, output: dyn}",
        "  - name: worker",
        "    image: " + IMAGE,
        "    run_config: {input: \"dyn://g.large.generate\", output: vllm}",
        ""));
    CliRun run = dynamo("deploy", "--target", "k8s", "--kubeconfig", mockKubeconfig.file().toString(), "-n", NS,
        "-f", graph.toString(), "--wait");
    assertEquals(ExitCodes.OK, run.exitCode(), run.out() + run.err());
  }

  private JsonNode json(CliRun run) throws Exception {
    return new ObjectMapper().readTree(run.out());
  }

  @Test
  void aDeploymentThatLostItsReplicasAfterReadyShowsLiveWhileReadyStaysRecorded() throws Exception {
    deployed();
    CliRun healthy = dynamo("deploy", "status", "g", "-o", "json");
    assertEquals(ExitCodes.OK, healthy.exitCode(), healthy.out() + healthy.err());
    JsonNode live = json(healthy).get("live");
    assertEquals("READY", live.get("state").asText(), healthy.out());
    assertEquals(2, live.get("ready").asInt());
    assertEquals(2, live.get("total").asInt());

    // The pods are lost: the controller (paused here, so that it does not heal them) reports no available replica.
    cluster.controller().pause(true);
    Deployment front = cluster.client.apps().deployments().inNamespace(NS).list().getItems().stream()
        .filter(d -> d.getMetadata().getName().contains("frontend")).findFirst().orElseThrow();
    cluster.client.apps().deployments().inNamespace(NS).resource(front).editStatus(d -> {
      d.getStatus().setAvailableReplicas(0);
      d.getStatus().setReadyReplicas(0);
      return d;
    });
    String name = front.getMetadata().getName();

    CliRun lost = dynamo("deploy", "status", "g", "-o", "json");
    assertEquals(ExitCodes.DEPLOY_FAILED, lost.exitCode(), lost.out() + lost.err());
    JsonNode doc = json(lost);
    assertEquals("READY", doc.get("phase").asText(), "the recorded state stays");
    assertEquals("NOT_READY", doc.get("live").get("state").asText());
    assertEquals(1, doc.get("live").get("ready").asInt());
    assertEquals("1 of 2 component(s) of revision 1 not ready: frontend: deployment " + name
        + ": 0 of 1 replicas available", doc.get("live").get("message").asText());
    JsonNode frontend = doc.get("live").get("components").get(0);
    assertEquals("frontend", frontend.get("name").asText());
    assertFalse(frontend.get("ready").asBoolean());

    CliRun table = dynamo("deploy", "status", "g");
    assertEquals(ExitCodes.DEPLOY_FAILED, table.exitCode(), table.err());
    assertTrue(table.out().contains("recorded READY ") && table.out().contains(" ago; live (k8s@")
        && table.out().contains("): NOT_READY, 1 of 2 component(s) of revision 1 not ready: frontend: deployment "
            + name), table.out());

    // --recorded (and --no-live): the recorded state only, as before, without reaching the target.
    int requests = cluster.api.requests().size();
    CliRun recorded = dynamo("deploy", "status", "g", "--recorded", "-o", "json");
    assertEquals(ExitCodes.OK, recorded.exitCode(), recorded.err());
    assertTrue(json(recorded).get("live").isNull(), recorded.out());
    assertEquals(requests, cluster.api.requests().size(), "no request reached the API server");
    CliRun noLive = dynamo("deploy", "status", "g", "--no-live");
    assertEquals(ExitCodes.OK, noLive.exitCode(), noLive.err());
    assertTrue(noLive.out().contains("; live: not checked (--recorded)"), noLive.out());
  }

  @Test
  void anApiServerThatIsGoneIsNamedAndTheRecordedStateStillShown() throws Exception {
    deployed();
    String server = cluster.masterUrl();
    cluster.close(); // the API server goes away (its extension's own close finds it closed)

    long start = System.nanoTime();
    CliRun run = dynamo("deploy", "status", "g", "-o", "json", "--request-timeout", "5s");
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(60).toNanos(), "bounded");
    assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), run.out() + run.err());
    JsonNode doc = json(run);
    assertEquals("READY", doc.get("phase").asText());
    assertEquals("CHECK_FAILED", doc.get("live").get("state").asText());
    String message = doc.get("live").get("message").asText();
    String hostPort = java.net.URI.create(server).getHost() + ":" + java.net.URI.create(server).getPort();
    assertTrue(message.startsWith("the live check failed: k8s@" + hostPort + "/" + NS + ": "), message);
    assertFalse(message.contains("Exception"), message);
  }
}

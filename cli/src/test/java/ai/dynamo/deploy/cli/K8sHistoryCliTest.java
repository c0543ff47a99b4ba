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
import java.net.ServerSocket;
import java.net.URI;
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
 * {@code dynamo deploy history} reads the revision records from the API server itself, with the user's kubeconfig,
 * not through a worker: on fabric8's MOCK API server (no real cluster runs here), two revisions deployed through
 * Temporal are listed with the flags that name the place while Temporal is gone, in the same table and document as
 * by name; an API server that is gone is named, exit 4.
 */
@Timeout(240)
class K8sHistoryCliTest {
  private static final String NS = "llm";
  private static final String IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.4.";

  @TempDir Path dir;
  @RegisterExtension @Order(1)
  final MockCluster cluster = new MockCluster().namespace(NS).withController(NS);
  @RegisterExtension @Order(2) final MockKubeconfig mockKubeconfig = new MockKubeconfig(cluster);
  private LocalService service;
  /** A Temporal address nothing listens on. */
  private String temporalGone;

  @BeforeEach
  void setUp() throws Exception {
    service = LocalService.start(0, DeployRegistration.production());
    try (ServerSocket s = new ServerSocket(0)) {
      temporalGone = "127.0.0.1:" + s.getLocalPort();
    }
  }

  @AfterEach
  void tearDown() {
    service.shutdown(Duration.ofSeconds(5));
  }

  private static CliRun dynamo(String address, List<String> args) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--address", address));
    return CliRun.of(all.toArray(String[]::new));
  }

  private List<String> place() {
    return List.of("--target", "k8s", "--kubeconfig", mockKubeconfig.file().toString(), "-n", NS);
  }

  /** Revision {@code patch} of graph g: each one a new spec (another image), so each deploy records a revision. */
  private void deploy(int patch) throws Exception {
    Path graph = Files.writeString(dir.resolve("g" + patch + ".yaml"), String.join("\n",
        "version: 1", "name: g", "components:",
        "  - name: frontend", "    image: " + IMAGE + patch, "    run_config: {input: http, output: dyn}", ""));
    List<String> args = new ArrayList<>(List.of("deploy", "-f", graph.toString(), "--wait"));
    args.addAll(place());
    CliRun run = dynamo(service.connection().address(), args);
    assertEquals(ExitCodes.OK, run.exitCode(), run.out() + run.err());
  }

  private CliRun history(String address, String... more) {
    List<String> args = new ArrayList<>(List.of("deploy", "history", "g"));
    args.addAll(place());
    args.addAll(List.of(more));
    return dynamo(address, args);
  }

  @Test
  void twoRevisionsAreListedWithTemporalGone() throws Exception {
    deploy(0);
    deploy(1);
    CliRun byName = dynamo(service.connection().address(), List.of("deploy", "history", "g"));
    assertEquals(ExitCodes.OK, byName.exitCode(), byName.err());

    int requests = cluster.api.requests().size();
    CliRun table = history(temporalGone);
    HistoryTables.assertTwoRevisions(table, byName);
    assertTrue(cluster.api.requests().size() > requests, "read from the API server");

    CliRun json = history(temporalGone, "-o", "json");
    assertEquals(ExitCodes.OK, json.exitCode(), json.err());
    JsonNode doc = new ObjectMapper().readTree(json.out());
    assertEquals(2, doc.size(), json.out());
    assertEquals(1, doc.get(0).get("revision").asInt());
    assertEquals("SUPERSEDED", doc.get(0).get("status").asText());
    assertEquals("READY", doc.get(1).get("status").asText());
    assertFalse(doc.get(0).get("specDigest").asText().equals(doc.get(1).get("specDigest").asText()));

    // Without the flags Temporal is needed to find the graph, and its absence is said as such.
    CliRun unnamed = dynamo(temporalGone, List.of("deploy", "history", "g"));
    assertEquals(ExitCodes.UNREACHABLE, unnamed.exitCode(), unnamed.err());
    assertTrue(unnamed.err().startsWith("error: cannot reach Temporal at " + temporalGone), unnamed.err());
  }

  @Test
  void anApiServerThatIsGoneIsNamedExitFour() throws Exception {
    deploy(0);
    URI server = URI.create(cluster.masterUrl());
    cluster.close(); // the API server goes away (its extension's own close finds it closed)

    long start = System.nanoTime();
    CliRun run = history(temporalGone, "--request-timeout", "5s");
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(60).toNanos(), "bounded");
    assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), run.out() + run.err());
    // the target's own message: what it read, the API server and the cause
    assertTrue(run.err().startsWith("error: read the revision records of g: cannot reach the Kubernetes API: "
        + "Connection refused: ") && run.err().contains(":" + server.getPort()), run.err());
    assertFalse(run.err().contains("Temporal"), run.err());
    assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
  }
}

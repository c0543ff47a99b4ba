package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.testing.k8s.MockKubeconfig;
import ai.dynamo.deploy.worker.DeployRegistration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dynamo deploy --target k8s --wait} end to end: the CLI, a local Temporal service with a production worker
 * registration, and the Kubernetes target reaching fabric8's mock API server (on a real local port) through a
 * kubeconfig file, with the simulated controller driving status. Kubernetes itself cannot run here.
 */
@Timeout(180)
class K8sDeployCliTest {
  private static final String NS = "llm";
  private static final String IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.4.0";

  @TempDir Path dir;
  @RegisterExtension @Order(1)
  final MockCluster cluster = new MockCluster().namespace(NS).secret(NS, "hf-token", "HF_TOKEN").withController(NS);
  @RegisterExtension @Order(2) final MockKubeconfig kubeconfig = new MockKubeconfig(cluster);
  private LocalService service;

  @BeforeEach
  void setUp() throws Exception {
    service = LocalService.start(0, DeployRegistration.production());
  }

  /** Before the kubeconfig and the cluster close (the extensions' turn comes after {@code @AfterEach}). */
  @AfterEach
  void tearDown() {
    service.shutdown(Duration.ofSeconds(5));
  }

  private Path graph(String name, String engineImage) throws Exception {
    return Files.writeString(dir.resolve(name), String.join("\n",
        "version: 1",
        "name: g",
        "components:",
        "  - name: vllm_worker",
        "    image: " + engineImage,
        "    run_config:",
        "      input: dyn://g.backend.generate",
        "      output: vllm",
        "    environment:",
        "      HF_TOKEN: \"${{ secrets.HF_TOKEN }}\"",
        "  - name: frontend",
        "    image: " + IMAGE,
        "    run_config:",
        "      input: http",
        "      output: dyn",
        "    parameters:",
        "      port: 8000",
        "    replicas: 2",
        ""));
  }

  private CliRun deploy(Path graph) {
    return CliRun.of("deploy", "--target", "k8s", "-n", NS, "-f", graph.toString(), "--wait",
        "--address", service.connection().address());
  }

  /** Deployment name -> image and revision label. */
  private Map<String, String> deployments() {
    Map<String, String> out = new TreeMap<>();
    for (Deployment d : cluster.client.apps().deployments().inNamespace(NS).withLabel("deploy.dynamo.ai/graph", "g")
        .list().getItems()) {
      out.put(d.getMetadata().getName(), d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()
          + " rev " + d.getMetadata().getLabels().get("deploy.dynamo.ai/revision"));
    }
    return out;
  }

  @Test
  void deployWaitReachesReadyAndAFailingUpdateIsRolledBack() throws Exception {
    CliRun first = deploy(graph("v1.yaml", IMAGE));
    assertEquals(ExitCodes.OK, first.exitCode(), first.out() + first.err());
    assertTrue(first.out().contains("deploy/k8s/llm/g"), first.out());
    Map<String, String> revisionOne = deployments();
    assertEquals(Map.of("g-frontend", IMAGE + " rev 1", "g-vllm-worker", IMAGE + " rev 1"), revisionOne);
    assertNotNull(cluster.client.secrets().inNamespace(NS).withName("dynamo-deploy.g.v1").get());

    CliRun second = deploy(graph("v2.yaml", IMAGE + "-next:crashloop"));
    assertEquals(ExitCodes.DEPLOY_FAILED, second.exitCode(), second.out() + second.err());
    assertTrue((second.out() + second.err()).contains("CrashLoopBackOff"), second.out() + second.err());
    assertEquals(revisionOne, deployments(), "revision 1 is back, intact");
    assertEquals("rolled-back", cluster.client.secrets().inNamespace(NS).withName("dynamo-deploy.g.v2").get()
        .getMetadata().getLabels().get("deploy.dynamo.ai/outcome"), "revision 2 is recorded as rolled back");
    CliRun history = CliRun.of("deploy", "history", "g", "--target", "k8s", "-n", NS, "--address",
        service.connection().address());
    assertTrue(history.out().lines().anyMatch(l -> l.startsWith("1 ") && l.contains("READY")), history.out());
    assertTrue(history.out().lines().anyMatch(l -> l.startsWith("2 ") && l.contains("ROLLED_BACK")), history.out());
  }

  @Test
  void historyAndRollbackToRevisionOneFromTheCommandLine() throws Exception {
    assertEquals(ExitCodes.OK, deploy(graph("v1.yaml", IMAGE)).exitCode());
    Map<String, String> revisionOne = deployments();
    assertEquals(ExitCodes.OK, deploy(graph("v2.yaml", IMAGE + "-2")).exitCode());
    String address = service.connection().address();

    CliRun table = CliRun.of("deploy", "history", "g", "--target", "k8s", "-n", NS, "--address", address);
    assertEquals(ExitCodes.OK, table.exitCode(), table.out() + table.err());
    assertTrue(table.out().startsWith("REVISION  UPDATED (UTC)"), table.out());
    assertTrue(table.out().lines().anyMatch(l -> l.startsWith("1 ") && l.contains("SUPERSEDED")), table.out());
    assertTrue(table.out().lines().anyMatch(l -> l.startsWith("2 ") && l.contains("READY")), table.out());

    CliRun rollback = CliRun.of("deploy", "rollback", "g", "--target", "k8s", "-n", NS, "--to-revision", "1",
        "--address", address);
    assertEquals(ExitCodes.OK, rollback.exitCode(), rollback.out() + rollback.err());
    assertTrue(rollback.out().startsWith("Rolling back g to revision 1"), rollback.out());
    CliRun status = CliRun.of("deploy", "status", "deploy/k8s/llm/g", "--wait", "--address", address);
    assertEquals(ExitCodes.OK, status.exitCode(), status.out() + status.err());
    // Revision 3 is revision 1's spec: the engine (changed in revision 2) is applied again as revision 3; the front end,
    // the same in all three, was adopted unchanged each time and still carries the label of revision 1.
    Map<String, String> expected = new TreeMap<>(revisionOne);
    expected.put("g-vllm-worker", revisionOne.get("g-vllm-worker").replace("rev 1", "rev 3"));
    assertEquals(expected, deployments(), "revision 1's images; only what revision 2 changed was applied again");

    CliRun json = CliRun.of("deploy", "history", "g", "--target", "k8s", "-n", NS, "-o", "json", "--address", address);
    assertEquals(ExitCodes.OK, json.exitCode(), json.err());
    com.fasterxml.jackson.databind.JsonNode h = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
    assertEquals(3, h.size(), json.out());
    assertEquals("READY", h.get(2).get("status").asText());
    assertEquals("rolled back to 1", h.get(2).get("note").asText());
    assertEquals(h.get(0).get("specDigest").asText(), h.get(2).get("specDigest").asText());

    CliRun missing = CliRun.of("deploy", "rollback", "g", "--target", "k8s", "-n", NS, "--to-revision", "9",
        "--address", address);
    assertEquals(ExitCodes.INVALID, missing.exitCode());
    assertTrue(missing.err().contains("no recorded revision 9"), missing.err());
  }

  private CliRun diff(Path graph, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("deploy", "diff", "--target", "k8s", "-n", NS, "-f",
        graph.toString(), "--address", service.connection().address()));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void diffExitsLikeKubectlDiffShowsNoSecretValueAndStrategyRecreateSetsTheDeploymentStrategy() throws Exception {
    Path v1 = graph("v1.yaml", IMAGE);
    CliRun first = deploy(v1);
    assertEquals(ExitCodes.OK, first.exitCode(), first.out() + first.err());

    CliRun same = diff(v1);
    assertEquals(ExitCodes.OK, same.exitCode(), same.out() + same.err());
    assertTrue(same.out().contains("live revision 1): 2 unchanged"), same.out());

    Path v2 = graph("v2.yaml", IMAGE.replace("0.4.0", "0.4.1"));
    CliRun changed = diff(v2, "--strategy", "recreate");
    assertEquals(ExitCodes.DEPLOY_FAILED, changed.exitCode(), changed.out() + changed.err());
    assertTrue(changed.out().matches("(?s).*\\n  vllm_worker +update \\(recreate\\) .*"), changed.out());
    assertTrue(changed.out().matches("(?s).*\\n  frontend +unchanged .*"), changed.out());
    assertTrue(changed.out().contains("--- live/rev-1/Deployment/") && changed.out().contains("+++ new/Deployment/"),
        changed.out());
    assertTrue(changed.out().contains("vllm-runtime:0.4.1"), changed.out());
    assertTrue(changed.out().contains("hf-token"), "the Secret is referenced by name: " + changed.out());
    assertFalse(changed.out().contains("secret-value") || changed.out().contains("c2VjcmV0LXZhbHVl"), changed.out());

    CliRun invalid = diff(v2, "--strategy", "sideways");
    assertEquals(ExitCodes.INVALID, invalid.exitCode(), invalid.err());

    CliRun updated = CliRun.of("deploy", "--target", "k8s", "-n", NS, "-f", v2.toString(), "--wait",
        "--address", service.connection().address(), "--strategy", "recreate");
    assertEquals(ExitCodes.OK, updated.exitCode(), updated.out() + updated.err());
    String strategy = cluster.client.apps().deployments().inNamespace(NS).withLabel("deploy.dynamo.ai/component")
        .list().getItems().stream().filter(d -> d.getMetadata().getName().contains("vllm"))
        .map(d -> d.getSpec().getStrategy().getType()).findFirst().orElse("none");
    assertEquals("Recreate", strategy);
    assertEquals(ExitCodes.OK, diff(v2).exitCode(), "nothing left to do");
  }
}

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operating a Kubernetes deploy by name through {@link Main}, against fabric8's mock API server (no real cluster runs
 * here) with the simulated controller: deployed with {@code --kubeconfig} (its context and server go to the worker,
 * the server into the location; the token stays out of Temporal), found by name, the log of a multi-node group's
 * worker rank, then uninstall with and without {@code --keep-history}, and list and history showing it.
 */
@Timeout(240)
class K8sOperateCliTest {
  private static final String NS = "llm";
  private static final String IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.4.0";
  private static final String TOKEN = "not-a-real-token"; // MockKubeconfig's

  @TempDir Path dir;
  @RegisterExtension @Order(1)
  final MockCluster cluster = new MockCluster().namespace(NS).secret(NS, "hf-token", "HF_TOKEN").withController(NS);
  /** The worker's own kubeconfig, and the one --kubeconfig names: context "mock", a token that must stay out. */
  @RegisterExtension @Order(2) final MockKubeconfig mockKubeconfig = new MockKubeconfig(cluster);
  private LocalService service;
  private Path kubeconfig;

  @BeforeEach
  void setUp() throws Exception {
    kubeconfig = mockKubeconfig.file();
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

  private Path graph() throws Exception {
    return graph("8000", IMAGE);
  }

  /** The graph with the front end's port and image given (the group stays the same). */
  private Path graph(String frontPort, String frontImage) throws Exception {
    return Files.writeString(dir.resolve("g.yaml"), String.join("\n",
        "version: 1",
        "name: g",
        "components:",
        "  - name: frontend",
        "    image: " + frontImage,
        "    run_config: {input: http, output: dyn}",
        "    parameters: {port: " + frontPort + "}",
        "    environment:",
        "      HF_TOKEN: \"${{ secrets.HF_TOKEN }}\"",
        "  - name: group",
        "    image: " + IMAGE,
        "    run_config: {input: \"dyn://g.large.generate\", output: sglang, num_nodes: 3}",
        ""));
  }

  private List<String> all(CliRun... runs) {
    List<String> out = new ArrayList<>();
    for (CliRun r : runs) out.add(r.out() + r.err());
    return out;
  }

  @Test
  void deployedWithAKubeconfigFoundByNameLogsOfARankThenUninstalled() throws Exception {
    // what the pod settings name must exist: the preflight checks it
    cluster.client.serviceAccounts().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
        .withNewMetadata().withName("llm-runner").endMetadata().build()).create();
    cluster.client.secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withName("regcred").endMetadata().withType("kubernetes.io/dockerconfigjson")
        .addToStringData(".dockerconfigjson", "{\"auths\":{}}").build()).create();
    CliRun deployed = dynamo("deploy", "--target", "k8s", "--kubeconfig", kubeconfig.toString(), "-n", NS,
        "--service-account", "llm-runner", "--pod-label", "team=llm", "--toleration", "dedicated=llm:NoSchedule",
        "--image-pull-secret", "regcred", "-f", graph().toString(), "--wait");
    assertEquals(ExitCodes.OK, deployed.exitCode(), deployed.out() + deployed.err());
    String server = cluster.masterUrl();
    String hostPort = java.net.URI.create(server).getHost() + ":" + java.net.URI.create(server).getPort();
    String workflowId = "deploy/k8s/" + hostPort + "/" + NS + "/g";
    assertTrue(deployed.out().contains("Started deploy " + workflowId), deployed.out());

    // The memo: every setting it was started with (where, how to reach it, the pod settings), never a token or a
    // secret value (the graph's HF_TOKEN is a reference; its value lives in the cluster's Secret).
    var d = service.client().newUntypedWorkflowStub(workflowId).describe();
    assertEquals(Map.of("namespace", NS, "context", "mock", "server", server, "serviceAccountName", "llm-runner",
        "podLabels", "team=llm", "tolerations", "dedicated=llm:NoSchedule", "imagePullSecrets", "regcred"),
        d.getMemo("settings", Map.class));
    String memo = d.getWorkflowExecutionInfo().getMemo().toString();
    assertFalse(memo.contains(TOKEN) || memo.contains("secret-value"), memo);

    // By name, diff and a deploy again use those pod settings: the unchanged file is unchanged.
    CliRun diff = dynamo("deploy", "diff", "-f", graph().toString());
    assertEquals(ExitCodes.OK, diff.exitCode(), diff.out() + diff.err());
    assertTrue(diff.out().startsWith("diff g -> k8s@" + hostPort + "/" + NS + " (live revision 1): 2 unchanged"),
        diff.out());
    assertTrue(diff.err().contains("imagePullSecrets=regcred") && diff.err().contains("serviceAccountName=llm-runner"),
        diff.err());
    CliRun again = dynamo("deploy", "-f", graph().toString(), "--wait");
    assertEquals(ExitCodes.OK, again.exitCode(), again.out() + again.err());
    assertTrue(again.out().contains("unchanged: revision 1 is live and healthy"), again.out());
    assertEquals("llm-runner", cluster.client.apps().deployments().inNamespace(NS).withName("g-frontend").get()
        .getSpec().getTemplate().getSpec().getServiceAccountName());

    CliRun status = dynamo("deploy", "status", "g", "-o", "json");
    assertEquals(ExitCodes.OK, status.exitCode(), status.err());
    assertEquals(workflowId, new ObjectMapper().readTree(status.out()).get("workflowId").asText());

    cluster.api.podLog(NS, "g-group-worker-0-2", "rank 2 loading\nrank 2 ready\n");
    cluster.api.podLog(NS, "g-group-leader-0", "leader listening\n");
    CliRun rank = dynamo("deploy", "logs", "g", "group", "--rank", "2");
    assertEquals(ExitCodes.OK, rank.exitCode(), rank.err());
    assertEquals("rank 2 loading\nrank 2 ready\n", rank.out());
    assertEquals("leader listening\n", dynamo("deploy", "logs", "g", "group").out());
    assertEquals("rank 2 ready\n", dynamo("deploy", "logs", "g", "group", "--rank", "2", "--tail", "1").out());
    CliRun noRank = dynamo("deploy", "logs", "g", "group", "--rank", "3");
    assertEquals(ExitCodes.INVALID, noRank.exitCode());
    assertTrue(noRank.err().contains("no pod of group group 0 rank 3 (its pods: g-group-leader-0, "), noRank.err());

    CliRun uninstall = dynamo("deploy", "uninstall", "g", "--wait");
    assertEquals(ExitCodes.OK, uninstall.exitCode(), uninstall.out() + uninstall.err());
    assertTrue(uninstall.out().contains("UNINSTALLED: g uninstalled from k8s@" + hostPort + "/" + NS + ": deleted "),
        uninstall.out());
    assertTrue(cluster.client.apps().statefulSets().inNamespace(NS).list().getItems().isEmpty());
    assertTrue(cluster.client.apps().deployments().inNamespace(NS).list().getItems().isEmpty());
    assertTrue(cluster.client.pods().inNamespace(NS).list().getItems().isEmpty(), "pods gone too");
    assertTrue(cluster.client.secrets().inNamespace(NS).withLabel("deploy.dynamo.ai/record", "revision").list()
        .getItems().isEmpty(), "revision records removed without --keep-history");
    CliRun history = dynamo("deploy", "history", "g");
    assertEquals(ExitCodes.OK, history.exitCode(), history.err());
    assertTrue(history.err().contains("no revisions recorded on the target"), history.err());

    // Again, keeping the records: history says UNINSTALLED, and the next deploy numbers on.
    assertEquals(ExitCodes.OK, dynamo("deploy", "--target", "k8s", "--kubeconfig", kubeconfig.toString(), "-n", NS,
        "-f", graph().toString(), "--wait").exitCode());
    CliRun kept = dynamo("deploy", "uninstall", "g", "--keep-history", "--wait");
    assertEquals(ExitCodes.OK, kept.exitCode(), kept.out() + kept.err());
    CliRun keptHistory = dynamo("deploy", "history", "g");
    assertTrue(keptHistory.out().lines().anyMatch(l -> l.matches("1 .* UNINSTALLED .* uninstalled by .*")),
        keptHistory.out());
    CliRun reinstalled = dynamo("deploy", "--target", "k8s", "--kubeconfig", kubeconfig.toString(), "-n", NS,
        "-f", graph().toString(), "--wait");
    assertTrue(reinstalled.out().contains("revision 2"), reinstalled.out());
    JsonNode rows = new ObjectMapper().readTree(dynamo("deploy", "list", "-o", "json").out());
    assertEquals(List.of("READY", "UNINSTALLED", "READY", "UNINSTALLED", "READY"),
        rows.findValuesAsText("phase").subList(0, 5), rows.toString());

    for (String output : all(deployed, diff, again, status, rank, uninstall, history, kept, keptHistory, reinstalled)) {
      assertFalse(output.contains(TOKEN) || output.contains("secret-value"), output);
    }
  }

  /** The group's StatefulSets by name with their resourceVersions: a rollback or retry of the front end leaves them. */
  private Map<String, String> groupVersions() {
    Map<String, String> out = new java.util.TreeMap<>();
    cluster.client.apps().statefulSets().inNamespace(NS).list().getItems()
        .forEach(s -> out.put(s.getMetadata().getName(), s.getMetadata().getResourceVersion()));
    return out;
  }

  private String frontendImage() {
    return cluster.client.apps().deployments().inNamespace(NS).withName("g-frontend").get().getSpec().getTemplate()
        .getSpec().getContainers().get(0).getImage();
  }

  @Test
  void rollbackAndRetryWaitByNameAfterPerComponentUpdatesTouchOnlyTheFrontEnd() throws Exception {
    List<String> k8s = List.of("deploy", "--target", "k8s", "--kubeconfig", kubeconfig.toString(), "-n", NS);
    List<String> deploy = new ArrayList<>(k8s);
    deploy.addAll(List.of("-f", graph().toString(), "--wait"));
    assertEquals(ExitCodes.OK, dynamo(deploy.toArray(String[]::new)).exitCode());
    Map<String, String> group = groupVersions();
    assertFalse(group.isEmpty());

    deploy = new ArrayList<>(k8s);
    deploy.addAll(List.of("-f", graph("8000", IMAGE + "-2").toString(), "--wait"));
    CliRun updated = dynamo(deploy.toArray(String[]::new));
    assertEquals(ExitCodes.OK, updated.exitCode(), updated.out() + updated.err());
    assertEquals(IMAGE + "-2", frontendImage());
    assertEquals(group, groupVersions(), "the group was adopted unchanged");

    CliRun rollback = dynamo("deploy", "rollback", "g", "--to-revision", "1", "--wait");
    assertEquals(ExitCodes.OK, rollback.exitCode(), rollback.out() + rollback.err());
    assertTrue(rollback.out().lines().anyMatch(l -> l.startsWith("READY: ") && l.contains("revision 3")),
        rollback.out());
    assertEquals(IMAGE, frontendImage(), "revision 1's front end is back");
    assertEquals(group, groupVersions(), "the rollback left the unchanged group alone");

    deploy = new ArrayList<>(k8s);
    deploy.addAll(List.of("-f", graph("8000", IMAGE + "-next:crashloop").toString(), "--wait"));
    CliRun broken = dynamo(deploy.toArray(String[]::new));
    assertEquals(ExitCodes.DEPLOY_FAILED, broken.exitCode(), broken.out() + broken.err());
    CliRun retried = dynamo("deploy", "retry", "g", "--wait");
    assertEquals(ExitCodes.DEPLOY_FAILED, retried.exitCode(), retried.out() + retried.err());
    assertTrue(retried.out().startsWith("retrying g as run "), retried.out());
    assertTrue((retried.out() + retried.err()).lines().anyMatch(l -> l.startsWith("ROLLED_BACK: ")),
        retried.out() + retried.err());
    assertEquals(IMAGE, frontendImage(), "each failed update was rolled back to revision 3's front end");
    assertEquals(group, groupVersions(), "neither the failed updates nor their rollbacks touched the group");
  }
}

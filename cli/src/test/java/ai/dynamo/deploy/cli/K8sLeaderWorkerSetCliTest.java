package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.testing.k8s.MockKubeconfig;
import ai.dynamo.deploy.testing.k8s.SimulatedLeaderWorkerSets;
import ai.dynamo.deploy.worker.DeployRegistration;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dynamo deploy --target k8s --multinode lws|auto --image-pull-secret ... --wait} through the CLI, a local
 * Temporal service with the production worker registration and fabric8's mock API server (LeaderWorkerSet as a CRD,
 * played by {@link SimulatedLeaderWorkerSets}). No real cluster or LWS controller is involved.
 */
@Timeout(180)
class K8sLeaderWorkerSetCliTest {
  private static final String NS = "llm";
  private static final String IMAGE = "nvcr.io/nvidia/ai-dynamo/sglang-runtime:0.4.0";
  private static final ResourceDefinitionContext LWS = new ResourceDefinitionContext.Builder()
      .withGroup("leaderworkerset.x-k8s.io").withVersion("v1").withKind("LeaderWorkerSet")
      .withPlural("leaderworkersets").withNamespaced(true).build();

  @TempDir Path dir;
  // The cluster serves LeaderWorkerSet only where a test says so (withLeaderWorkerSets).
  @RegisterExtension @Order(1)
  final MockCluster cluster = new MockCluster().namespace(NS).gpuNode("gpu-1", 16).withController(NS);
  @RegisterExtension @Order(2) final MockKubeconfig kubeconfig = new MockKubeconfig(cluster);
  private LocalService service;

  @BeforeEach
  void setUp() throws Exception {
    cluster.client.resource(new SecretBuilder().withNewMetadata().withName("ngc").withNamespace(NS).endMetadata()
        .withType("kubernetes.io/dockerconfigjson").build()).create();
    service = LocalService.start(0, DeployRegistration.production());
  }

  /** Before the kubeconfig and the cluster close (the extensions' turn comes after {@code @AfterEach}). */
  @AfterEach
  void tearDown() {
    service.shutdown(Duration.ofSeconds(5));
  }

  private Path graph() throws Exception {
    return Files.writeString(dir.resolve("g.yaml"), String.join("\n", "version: 1", "name: g", "components:",
        "  - name: sglang_group", "    image: " + IMAGE,
        "    run_config: {input: \"dyn://g.large.generate\", output: sglang, num_nodes: 2}",
        "    resources: {memory: 64Gi, gpu: 4}", ""));
  }

  private CliRun deploy(String... flags) throws Exception {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("deploy", "--target", "k8s", "-n", NS,
        "-f", graph().toString(), "--wait", "--address", service.connection().address()));
    args.addAll(java.util.List.of(flags));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void lwsWithoutTheApiFailsInPreflightAndAutoFallsBackToStatefulSets() throws Exception {
    CliRun lwsMissing = deploy("--multinode", "lws");
    assertEquals(ExitCodes.DEPLOY_FAILED, lwsMissing.exitCode(), lwsMissing.out() + lwsMissing.err());
    String all = lwsMissing.out() + lwsMissing.err();
    assertTrue(all.contains("multinode=lws needs the LeaderWorkerSet API (leaderworkerset.x-k8s.io/v1), which this "
        + "cluster does not serve"), all);
    assertFalse(all.contains("Exception"), all);
    assertTrue(cluster.client.apps().statefulSets().inNamespace(NS).list().getItems().isEmpty(), "nothing applied");

    CliRun auto = deploy("--multinode", "auto");
    assertEquals(ExitCodes.OK, auto.exitCode(), auto.out() + auto.err());
    assertNotNull(cluster.client.apps().statefulSets().inNamespace(NS).withName("g-sglang-group-leader").get());
  }

  @Test
  void aGroupDeploysAsALeaderWorkerSetWithThePullSecretAndTheGpuToleration() throws Exception {
    cluster.withLeaderWorkerSets(NS);
    CliRun run = deploy("--multinode", "lws", "--image-pull-secret", "ngc");
    assertEquals(ExitCodes.OK, run.exitCode(), run.out() + run.err());
    GenericKubernetesResource set =
        cluster.client.genericKubernetesResources(LWS).inNamespace(NS).withName("g-sglang-group-lws").get();
    assertNotNull(set);
    var worker = cluster.client.pods().inNamespace(NS).withName("g-sglang-group-lws-0-1").get();
    assertEquals("ngc", worker.getSpec().getImagePullSecrets().get(0).getName());
    assertEquals("nvidia.com/gpu", worker.getSpec().getTolerations().get(0).getKey());
  }
}

package ai.dynamo.deploy.activities.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.client.DeployOutcomes;
import ai.dynamo.deploy.client.DeployStarter;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.MultiNode;
import ai.dynamo.deploy.ir.Parameter;
import ai.dynamo.deploy.ir.Resources;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.testing.k8s.SimulatedController;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.UpdateSettings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.temporal.client.WorkflowStub;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-component updates on the Kubernetes target against fabric8's mock API server (Kubernetes itself cannot run
 * here), with the simulated controller scheduling onto 3 nodes x 8 {@code nvidia.com/gpu}: a decode Deployment of 2
 * pods x 8 GPUs (16 of the 24) and a CPU front end. The five cases of issue 10, checked through resourceVersions,
 * Deployment strategies and the controller's events (FailedScheduling, Killing).
 */
@Timeout(180)
class K8sUpdatesWorkflowTest {
  @RegisterExtension @Order(1) final MockCluster cluster =
      new MockCluster().namespace(K8sGraphs.NS).withController(K8sGraphs.NS);
  @RegisterExtension @Order(2) final DeployEnvironment env =
      DeployEnvironment.serving(new K8sTarget(KubeClients.of(cluster.client), Clock.systemUTC()));
  private final SimulatedController controller = cluster.controller().withGpuNodes(3, 8);

  private static Component decode(String image, String extra) {
    List<Parameter> params = extra == null ? List.of() : List.of(new Parameter("max_batch_size", extra, Parameter.Type.INTEGER));
    return new Component("decode", image, Component.DEFAULT_CMD, "dyn://g.decode.generate", "vllm", params, 2,
        new Resources("1", "2Gi", 8), List.of(), List.of(), Map.of(), MultiNode.SINGLE, null);
  }

  private static Component frontend(String port) {
    return new Component("frontend", K8sGraphs.IMAGE, Component.DEFAULT_CMD, "http", "vllm",
        List.of(new Parameter("port", port, Parameter.Type.INTEGER)), 1, new Resources("1", "2Gi", 0), List.of(),
        List.of(), Map.of(), MultiNode.SINGLE, null);
  }

  private static Graph graph(Component... components) {
    return new Graph("1.0", "g", List.of(components));
  }

  private DeployResult deploy(Graph graph, Map<String, String> settings) {
    DeployRequest request = K8sGraphs.request(graph, settings);
    DeployStarter.Started started = DeployStarter.startOrAttach(env.client(), request);
    WorkflowStub stub = env.client().newUntypedWorkflowStub(started.workflowId(), Optional.of(started.runId()),
        Optional.empty());
    return DeployOutcomes.await(stub);
  }

  private DeployResult deploy(Graph graph) {
    return deploy(graph, Map.of());
  }

  /** Kind/name -> resourceVersion of every object of the graph, its revision records included. */
  private Map<String, String> versions() {
    Map<String, String> out = new TreeMap<>();
    for (HasMetadata o : new ServerSideApplier(cluster.client, K8sGraphs.NS, false, d -> {}).owned("g")) {
      out.put(ManifestSet.key(o), o.getMetadata().getResourceVersion());
    }
    cluster.client.secrets().inNamespace(K8sGraphs.NS).list().getItems()
        .forEach(s -> out.put("Secret/" + s.getMetadata().getName(), s.getMetadata().getResourceVersion()));
    return out;
  }

  private Deployment deployment(String name) {
    return cluster.client.apps().deployments().inNamespace(K8sGraphs.NS).withName(name).get();
  }

  private List<String> pods(String prefix) {
    return cluster.client.pods().inNamespace(K8sGraphs.NS).list().getItems().stream()
        .map(Pod::getMetadata).map(m -> m.getName()).filter(n -> n.startsWith(prefix)).sorted().toList();
  }

  private static String change(DeployResult r, String component) {
    return r.progress().component(component).change();
  }

  @Test
  void anIdenticalReRunMovesNoResourceVersionAndRecordsNothing() {
    Graph v1 = graph(decode(K8sGraphs.IMAGE, null), frontend("8000"));
    assertEquals(Phase.READY, deploy(v1).phase());
    Map<String, String> before = versions();

    DeployResult again = deploy(v1);
    assertEquals(Phase.READY, again.phase(), again.message());
    assertEquals(1, again.revision());
    assertTrue(again.message().startsWith("unchanged: revision 1 is live and healthy"), again.message());
    assertEquals(before, versions(), "no object's resourceVersion moved, no record was written");
  }

  @Test
  void aFrontEndOnlyChangeLeavesTheDecodeDeploymentAsItIs() {
    assertEquals(Phase.READY, deploy(graph(decode(K8sGraphs.IMAGE, null), frontend("8000"))).phase());
    Map<String, String> before = versions();
    List<String> decodePods = pods("g-decode-");

    DeployResult updated = deploy(graph(decode(K8sGraphs.IMAGE, null), frontend("8001")));
    assertEquals(Phase.READY, updated.phase(), updated.message());
    assertEquals(2, updated.revision());
    assertEquals("unchanged", change(updated, "decode"));
    assertTrue(change(updated, "frontend").startsWith("updated"), change(updated, "frontend"));
    Map<String, String> after = versions();
    assertEquals(before.get("Deployment/g-decode"), after.get("Deployment/g-decode"), "decode was not touched");
    assertNotEquals(before.get("Deployment/g-frontend"), after.get("Deployment/g-frontend"));
    assertEquals(decodePods, pods("g-decode-"), "the decode pods run on");
  }

  /**
   * Operating by name meets per-component updates: the decode Deployment adopted unchanged keeps its revision-1
   * objects and pods; {@code logs} reads one of them, {@code uninstall} deletes them with the rest, and the next
   * deploy finds nothing unchanged and creates every component again.
   */
  @Test
  void logsAndUninstallReachTheObjectsOfAComponentAdoptedFromAnOlderRevision() {
    assertEquals(Phase.READY, deploy(graph(decode(K8sGraphs.IMAGE, null), frontend("8000"))).phase());
    Graph v2 = graph(decode(K8sGraphs.IMAGE, null), frontend("8001"));
    DeployResult updated = deploy(v2);
    assertEquals("unchanged", change(updated, "decode"));
    List<String> decodePods = pods("g-decode-");
    assertEquals(2, decodePods.size(), decodePods.toString());

    K8sTarget target = K8sGraphs.target(cluster.client);
    ai.dynamo.deploy.activities.DeployContext ctx =
        ai.dynamo.deploy.activities.DeployContext.named("g", K8sGraphs.request(v2, Map.of()).target(), "");
    cluster.api.podLog(K8sGraphs.NS, decodePods.get(1), "decode replica 1 of revision 1\n");
    List<String> lines = new java.util.ArrayList<>();
    target.logs(ctx, new ai.dynamo.deploy.activities.LogRequest("decode", 1, null, 0, -1, false), lines::add);
    assertEquals(List.of("decode replica 1 of revision 1"), lines);

    DeployStarter.Started u = ai.dynamo.deploy.client.DeployUninstall.start(env.client(), "g",
        K8sGraphs.request(v2, Map.of()).target(), true, "test@host", null);
    DeployResult gone = DeployOutcomes.await(
        env.client().newUntypedWorkflowStub(u.workflowId(), Optional.of(u.runId()), Optional.empty()));
    assertEquals(Phase.UNINSTALLED, gone.phase(), gone.message());
    assertEquals(null, deployment("g-decode"), "the adopted Deployment went too");
    assertEquals(List.of(), pods("g-"));

    DeployResult again = deploy(v2);
    assertEquals(Phase.READY, again.phase(), again.message());
    assertEquals(3, again.revision(), "numbered after the last recorded revision (--keep-history kept it)");
    assertTrue(change(again, "decode").startsWith("added"), change(again, "decode"));
    assertTrue(change(again, "frontend").startsWith("added"), change(again, "frontend"));
  }

  @Test
  void aDecodeChangeWithAutoChoosesRecreateBecauseNoNodeHasRoom() {
    assertEquals(Phase.READY, deploy(graph(decode(K8sGraphs.IMAGE, null), frontend("8000"))).phase());
    List<String> oldPods = pods("g-decode-");

    DeployResult updated = deploy(graph(decode(K8sGraphs.IMAGE, "16"), frontend("8000")));
    assertEquals(Phase.READY, updated.phase(), updated.message());
    assertTrue(change(updated, "decode").startsWith("updated (recreate): spec changed; auto: recreate, the cluster"
        + " has no room for a second copy (2 pods x 8 GPU): 8 GPUs free"), change(updated, "decode"));
    assertEquals("Recreate", deployment("g-decode").getSpec().getStrategy().getType());
    for (String old : oldPods) assertTrue(controller.events().contains("Killing " + old), controller.events().toString());
    assertFalse(pods("g-decode-").stream().anyMatch(oldPods::contains));
    assertEquals("unchanged", change(updated, "frontend"));
  }

  @Test
  void aBlueGreenDecodeChangeFailsFastAsUnschedulableAndTheOldPodsKeepRunning() {
    assertEquals(Phase.READY, deploy(graph(decode(K8sGraphs.IMAGE, null), frontend("8000"))).phase());
    List<String> oldPods = pods("g-decode-");

    DeployResult result = deploy(graph(decode(K8sGraphs.IMAGE, "16"), frontend("8000")),
        Map.of(UpdateSettings.STRATEGY, "blue-green", UpdateSettings.BLUE_GREEN_GRACE_SECONDS, "3"));
    assertEquals(Phase.ROLLED_BACK, result.phase(), result.message());
    assertTrue(result.message().contains("Unschedulable") && result.message().contains("use --strategy recreate"),
        result.message());
    assertEquals(1, result.revision());
    assertTrue(controller.events().stream().anyMatch(e -> e.startsWith("FailedScheduling g-decode-")),
        controller.events().toString());
    for (String old : oldPods) {
      assertFalse(controller.events().contains("Killing " + old), "old pod " + old + " was never stopped");
    }
    assertTrue(pods("g-decode-").containsAll(oldPods), pods("g-decode-").toString());
  }

  @Test
  void aBrokenDecodeUpdateWithRecreateRollsBackAndTheOldRevisionIsReadyAgain() {
    assertEquals(Phase.READY, deploy(graph(decode(K8sGraphs.IMAGE, null), frontend("8000"))).phase());
    List<String> oldPods = pods("g-decode-");
    String frontendVersion = versions().get("Deployment/g-frontend");

    DeployResult result = deploy(graph(decode(K8sGraphs.IMAGE + "-x:crashloop", null), frontend("8000")),
        Map.of(UpdateSettings.STRATEGY, "recreate"));
    assertEquals(Phase.ROLLED_BACK, result.phase(), result.message());
    assertTrue(result.message().contains("CrashLoopBackOff"), result.message());
    assertEquals(1, result.revision());
    Deployment decode = deployment("g-decode");
    assertEquals(K8sGraphs.IMAGE, decode.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    assertEquals(2, decode.getStatus().getReadyReplicas(), "revision 1's decode pods are ready again");
    assertEquals(oldPods, pods("g-decode-"), "the same template, so the same pods by name");
    assertEquals(frontendVersion, versions().get("Deployment/g-frontend"), "the front end was not touched");
  }
}

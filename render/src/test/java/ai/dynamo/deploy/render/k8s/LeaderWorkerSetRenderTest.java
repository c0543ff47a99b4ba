package ai.dynamo.deploy.render.k8s;

import static ai.dynamo.deploy.render.k8s.K8sTestGraphs.IMAGE;
import static ai.dynamo.deploy.render.k8s.K8sTestGraphs.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Parameter.Type;
import ai.dynamo.deploy.render.Rendering;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code multinode=lws}: a multi-node service group as one LeaderWorkerSet; everything else as before. */
class LeaderWorkerSetRenderTest {
  private static final Map<String, String> LWS = Map.of("multinode", "lws");
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private static GenericKubernetesResource lws(Rendered r, String name) {
    return r.get(GenericKubernetesResource.class, name);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource lws) {
    return (Map<String, Object>) lws.getAdditionalProperties().get("spec");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> groupTemplate(GenericKubernetesResource lws) {
    return (Map<String, Object>) spec(lws).get("leaderWorkerTemplate");
  }

  static PodTemplateSpec pods(GenericKubernetesResource lws, String which) {
    return JSON.convertValue(groupTemplate(lws).get(which), PodTemplateSpec.class);
  }

  private static Container container(GenericKubernetesResource lws, String which) {
    return pods(lws, which).getSpec().getContainers().get(0);
  }

  @Test
  void aMultiNodeServiceIsOneLeaderWorkerSetWithGroupSizeReplicasAndLeaderReadyStartup() {
    Rendered r = Rendered.of(K8sTestGraphs.of("g", K8sRendererTest.multiNode("sglang", 3, 2, null)), LWS);
    assertEquals(List.of("LeaderWorkerSet/g-sglang-lws"), r.names(), "no StatefulSets, no headless Services of ours");
    GenericKubernetesResource lws = lws(r, "g-sglang-lws");
    assertEquals("leaderworkerset.x-k8s.io/v1", lws.getApiVersion());
    assertEquals(2, spec(lws).get("replicas"));
    assertEquals("LeaderReady", spec(lws).get("startupPolicy"));
    assertEquals(3, groupTemplate(lws).get("size"));
    assertEquals("RecreateGroupOnPodRestart", groupTemplate(lws).get("restartPolicy"));
    assertEquals("group", lws.getMetadata().getLabels().get(Labels.ROLE));
    assertEquals("leader", pods(lws, "leaderTemplate").getMetadata().getLabels().get(Labels.ROLE));
    assertEquals("worker", pods(lws, "workerTemplate").getMetadata().getLabels().get(Labels.ROLE));
  }

  @Test
  void everyNodeGetsItsFlagsFromTheVariablesLwsInjects() {
    Rendered r = Rendered.of(K8sTestGraphs.of("g", K8sRendererTest.multiNode("sglang", 2, 1, null)), LWS);
    GenericKubernetesResource lws = lws(r, "g-sglang-lws");
    for (String which : List.of("leaderTemplate", "workerTemplate")) {
      List<String> args = container(lws, which).getArgs();
      List<String> tail = args.subList(args.size() - 6, args.size());
      assertEquals(List.of("--num-nodes", "$(LWS_GROUP_SIZE)", "--node-rank", "$(LWS_WORKER_INDEX)",
          "--leader-addr", "$(LWS_LEADER_ADDRESS):29500"), tail, which);
      assertNull(container(lws, which).getEnv().stream().filter(e -> e.getName().startsWith("DYNAMO_"))
          .findFirst().orElse(null), "no deployer variables: LWS provides rank and address");
    }
  }

  @Test
  void onlyTheLeaderListensAndHasProbes() {
    Rendered r = Rendered.of(K8sTestGraphs.of("g", K8sRendererTest.multiNode("sglang", 2, 1, null)), LWS);
    GenericKubernetesResource lws = lws(r, "g-sglang-lws");
    Container leader = container(lws, "leaderTemplate");
    assertEquals(29500, leader.getReadinessProbe().getTcpSocket().getPort().getIntVal());
    assertEquals(29500, leader.getStartupProbe().getTcpSocket().getPort().getIntVal());
    assertEquals(List.of(29500), leader.getPorts().stream().map(pt -> pt.getContainerPort()).toList());
    Container worker = container(lws, "workerTemplate");
    assertNull(worker.getReadinessProbe());
    assertTrue(worker.getPorts() == null || worker.getPorts().isEmpty());
    assertEquals("4", worker.getResources().getLimits().get("nvidia.com/gpu").toString(), "GPUs per node");
  }

  @Test
  void aPortGivesAClientServiceOnTheLeadersWhoseNameStaysClearOfLwsHeadlessService() {
    Component base = K8sRendererTest.multiNode("front", 2, 1, null);
    Component http = new Component(base.name(), IMAGE, base.cmd(), "http", "dyn",
        List.of(p("port", "8000", Type.INTEGER)), 1, base.resources(), List.of(), List.of(), Map.of(),
        base.multiNode(), null);
    Rendered r = Rendered.of(K8sTestGraphs.of("g", http), LWS);
    assertEquals(List.of("Service/g-front", "LeaderWorkerSet/g-front-lws"), r.names());
    Service client = r.get(Service.class, "g-front");
    assertEquals("leader", client.getSpec().getSelector().get(Labels.ROLE));
    assertEquals(8000, client.getSpec().getPorts().get(0).getPort());
  }

  @Test
  void aPinnedLeaderHostIsHonouredAsWritten() {
    Rendered r = Rendered.of(K8sTestGraphs.seed(), LWS);
    GenericKubernetesResource lws = lws(r, "dynamo-graph-trtllm-leader-lws");
    for (String which : List.of("leaderTemplate", "workerTemplate")) {
      List<String> args = container(lws, which).getArgs();
      assertEquals("10.217.98.122:5000", args.get(args.size() - 1), which);
    }
    List<String> local = container(lws(r, "dynamo-graph-sglang-worker-lws"), "workerTemplate").getArgs();
    assertEquals("$(LWS_LEADER_ADDRESS):9876", local.get(local.size() - 1), "127.0.0.1 contributes its port only");
  }

  @Test
  void variablesLwsInjectsCannotBeSetByTheUser() {
    Component c = K8sRendererTest.multiNode("sglang", 2, 1, null);
    Component withEnv = new Component(c.name(), c.image(), c.cmd(), c.input(), c.output(), c.parameters(),
        c.replicas(), c.resources(), List.of(EnvVar.literal("LWS_WORKER_INDEX", "3")), List.of(), Map.of(),
        c.multiNode(), null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> K8sRenderer.render(K8sTestGraphs.of("g", withEnv), LWS));
    assertTrue(e.getMessage().contains("LWS_WORKER_INDEX") && e.getMessage().contains("sglang"), e.getMessage());
    assertNotNull(K8sRenderer.render(K8sTestGraphs.of("g", withEnv), Map.of()), "fine with StatefulSets");
  }

  @Test
  void batchAndSingleNodeComponentsDoNotChange() {
    Rendering statefulSets = K8sRenderer.render(K8sTestGraphs.seed(), Map.of());
    Rendering lws = K8sRenderer.render(K8sTestGraphs.seed(), LWS);
    for (int i = 0; i < statefulSets.files().size(); i++) {
      String name = statefulSets.files().get(i).relativePath();
      boolean group = name.equals("sglang-worker.yaml") || name.equals("trtllm-leader.yaml");
      assertEquals(!group, statefulSets.files().get(i).equals(lws.files().get(i)), name);
    }
    Component batch = K8sTestGraphs.batchProcessor();
    Component multiBatch = new Component(batch.name(), batch.image(), batch.cmd(), batch.input(), batch.output(),
        batch.parameters(), 1, batch.resources(), List.of(), List.of(), Map.of(),
        new ai.dynamo.deploy.ir.MultiNode(2, null, null), null);
    Rendered r = Rendered.of(K8sTestGraphs.of("g", multiBatch), LWS);
    assertNotNull(r.get(Job.class, "g-batch-processor-group-0"), "a multi-node batch group stays an Indexed Job");
  }

  @Test
  void statefulSetsStayTheDefault() {
    Rendered r = Rendered.of(K8sTestGraphs.of("g", K8sRendererTest.multiNode("sglang", 2, 1, null)));
    assertNotNull(r.get(StatefulSet.class, "g-sglang-leader"));
    Rendered explicit = Rendered.of(K8sTestGraphs.of("g", K8sRendererTest.multiNode("sglang", 2, 1, null)),
        Map.of("multinode", "statefulset"));
    assertEquals(r.rendering(), explicit.rendering());
  }

  @Test
  void autoIsDecidedAtDeployTimeSoFilesNeedAnExplicitMode() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> K8sRenderer.render(K8sTestGraphs.seed(), Map.of("multinode", "auto")));
    assertTrue(e.getMessage().contains("multinode=auto") && e.getMessage().contains("multinode=lws")
        && e.getMessage().contains("sglang_worker"), e.getMessage());
    // without a multi-node service there is nothing to decide
    assertNotNull(K8sRenderer.render(K8sTestGraphs.of("g", K8sTestGraphs.httpIngress()), Map.of("multinode", "auto")));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> K8sRenderer.render(K8sTestGraphs.seed(), Map.of("multinode", "LeaderWorkerSet")));
    assertEquals("setting multinode: \"LeaderWorkerSet\" is not a multi-node mode (statefulset, lws or auto)",
        bad.getMessage());
  }

  @Test
  void namesLwsDerivesFitKubernetesLimits() {
    String longGraph = "an-extremely-long-graph-name-that-goes-on-and-on";
    Component c = K8sRendererTest.multiNode("prefill_worker_with_a_long_name", 16, 12, null);
    Rendered r = Rendered.of(K8sTestGraphs.of(longGraph, c), LWS);
    GenericKubernetesResource lws = r.objects().stream().filter(o -> o instanceof GenericKubernetesResource)
        .map(o -> (GenericKubernetesResource) o).findFirst().orElseThrow();
    String name = lws.getMetadata().getName();
    assertTrue(name.endsWith("-lws"), name);
    // LWS: leader StatefulSet and headless Service <name>, worker StatefulSet <name>-<g>, pods <name>-<g>-<rank>
    assertTrue(name.length() <= K8sNames.MAX_LABEL, name);
    assertTrue((name + "-11").length() <= K8sNames.MAX_STATEFULSET, "worker StatefulSet of group 11 fits");
    assertTrue((name + "-11-15").length() <= K8sNames.MAX_LABEL, "pod host names fit");
    assertEquals(name.substring(0, name.length() - 4),
        Rendered.of(K8sTestGraphs.of(longGraph, c)).get(StatefulSet.class, name.substring(0, name.length() - 4)
            + "-leader").getMetadata().getName().replace("-leader", ""), "the same base in both modes");
  }
}

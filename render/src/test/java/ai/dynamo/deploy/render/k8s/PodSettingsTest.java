package ai.dynamo.deploy.render.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tolerations, pull secrets, service account, priority/runtime class, scheduler, pod labels and annotations. */
class PodSettingsTest {
  private static final Toleration GPU = new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Exists")
      .withEffect("NoSchedule").build();

  /** Every pod template of a rendering: workloads' templates and both templates of each LeaderWorkerSet. */
  private static Map<String, PodTemplateSpec> templates(Rendered r) {
    Map<String, PodTemplateSpec> out = new LinkedHashMap<>();
    for (HasMetadata o : r.objects()) {
      String name = o.getKind() + "/" + o.getMetadata().getName();
      if (o instanceof GenericKubernetesResource lws) {
        out.put(name + "/leader", LeaderWorkerSetRenderTest.pods(lws, "leaderTemplate"));
        out.put(name + "/worker", LeaderWorkerSetRenderTest.pods(lws, "workerTemplate"));
      } else if (!(o instanceof io.fabric8.kubernetes.api.model.Service)) {
        out.put(name, Rendered.template(o));
      }
    }
    return out;
  }

  private static boolean requestsGpus(PodSpec spec) {
    var limits = spec.getContainers().get(0).getResources().getLimits();
    return limits != null && limits.containsKey("nvidia.com/gpu");
  }

  private static List<Toleration> tolerations(PodSpec spec) {
    return spec.getTolerations() == null ? List.of() : spec.getTolerations();
  }

  @Test
  void podsThatRequestGpusTolerateTheGpuTaintByDefaultAndOthersDoNot() {
    for (Map<String, String> settings : List.of(Map.<String, String>of(), Map.of("multinode", "lws"))) {
      Map<String, PodTemplateSpec> templates = templates(Rendered.of(K8sTestGraphs.seed(), settings));
      int gpuPods = 0;
      for (Map.Entry<String, PodTemplateSpec> e : templates.entrySet()) {
        PodSpec spec = e.getValue().getSpec();
        if (requestsGpus(spec)) {
          gpuPods++;
          assertEquals(List.of(GPU), tolerations(spec), e.getKey());
        } else {
          assertEquals(List.of(), tolerations(spec), e.getKey());
        }
      }
      assertTrue(gpuPods >= 3, "the seed has GPU pods: " + templates.keySet());
    }
  }

  @Test
  void theGpuTolerationCanBeReplacedOrSwitchedOff() {
    Map<String, PodTemplateSpec> replaced = templates(Rendered.of(K8sTestGraphs.seed(),
        Map.of("gpuTolerations", "dedicated=gpu:NoSchedule")));
    Toleration dedicated = new TolerationBuilder().withKey("dedicated").withOperator("Equal").withValue("gpu")
        .withEffect("NoSchedule").build();
    for (PodTemplateSpec t : replaced.values()) {
      assertEquals(requestsGpus(t.getSpec()) ? List.of(dedicated) : List.of(), tolerations(t.getSpec()));
    }
    for (PodTemplateSpec t : templates(Rendered.of(K8sTestGraphs.seed(), Map.of("gpuTolerations", "none"))).values()) {
      assertEquals(List.of(), tolerations(t.getSpec()));
    }
  }

  @Test
  void tolerationsForEveryPodComeFirstAndFollowTheKubectlTaintSyntax() {
    Rendered r = Rendered.of(K8sTestGraphs.seed(), Map.of("tolerations", "spot\nzone=a:PreferNoSchedule\nnvidia.com/gpu:NoSchedule"));
    List<Toleration> frontend = tolerations(Rendered.template(r.get(Deployment.class, "dynamo-graph-http-ingress")).getSpec());
    assertEquals(List.of(
        new TolerationBuilder().withKey("spot").withOperator("Exists").build(),
        new TolerationBuilder().withKey("zone").withOperator("Equal").withValue("a").withEffect("PreferNoSchedule").build(),
        GPU), frontend, "KEY alone tolerates every effect; KEY=VALUE matches that value");
    List<Toleration> engine = tolerations(Rendered.template(r.get(Deployment.class, "dynamo-graph-vllm-worker")).getSpec());
    assertEquals(3, engine.size(), "the default GPU toleration is not added twice: " + engine);
  }

  @Test
  void pullSecretsServiceAccountClassesAndSchedulerAreOnEveryPod() {
    Map<String, String> settings = new LinkedHashMap<>(K8sGoldenTest.POD_SETTINGS);
    for (String mode : List.of("lws", "statefulset")) {
      settings.put("multinode", mode);
      Map<String, PodTemplateSpec> templates = templates(Rendered.of(K8sTestGraphs.seed(), settings));
      assertTrue(templates.size() >= 6, templates.keySet().toString());
      for (Map.Entry<String, PodTemplateSpec> e : templates.entrySet()) {
        PodSpec spec = e.getValue().getSpec();
        assertEquals(List.of("ngc-registry", "mirror-registry"),
            spec.getImagePullSecrets().stream().map(s -> s.getName()).toList(), e.getKey());
        assertEquals("inference", spec.getServiceAccountName(), e.getKey());
        assertEquals("inference-high", spec.getPriorityClassName(), e.getKey());
        assertEquals("nvidia", spec.getRuntimeClassName(), e.getKey());
        assertEquals("volcano", spec.getSchedulerName(), e.getKey());
        assertEquals("llm", e.getValue().getMetadata().getLabels().get("team"), e.getKey());
        assertEquals("42", e.getValue().getMetadata().getLabels().get("cost-center"), e.getKey());
        assertEquals("true", e.getValue().getMetadata().getAnnotations().get("prometheus.io/scrape"), e.getKey());
        assertEquals("serves: \"llama\" # not a comment", e.getValue().getMetadata().getAnnotations().get("note"));
      }
    }
  }

  @Test
  void podLabelsNeverReachSelectorsOrObjectMetadata() {
    Rendered r = Rendered.of(K8sTestGraphs.seed(), Map.of("podLabels", "team=llm"));
    Deployment d = r.get(Deployment.class, "dynamo-graph-http-ingress");
    assertNull(d.getSpec().getSelector().getMatchLabels().get("team"));
    assertNull(d.getMetadata().getLabels().get("team"));
    StatefulSet s = r.get(StatefulSet.class, "dynamo-graph-sglang-worker-worker-0");
    assertNull(s.getSpec().getSelector().getMatchLabels().get("team"));
    assertEquals(Rendered.of(K8sTestGraphs.seed()).rendering().files().size(), r.rendering().files().size());
  }

  @Test
  void withoutSettingsThePodsAreAsBefore() {
    for (PodTemplateSpec t : templates(Rendered.of(K8sTestGraphs.seed())).values()) {
      PodSpec spec = t.getSpec();
      assertTrue(spec.getImagePullSecrets() == null || spec.getImagePullSecrets().isEmpty());
      assertNull(spec.getServiceAccountName());
      assertNull(spec.getPriorityClassName());
      assertNull(spec.getRuntimeClassName());
      assertNull(spec.getSchedulerName());
      assertTrue(t.getMetadata().getAnnotations() == null || t.getMetadata().getAnnotations().isEmpty());
    }
  }

  @Test
  void everyBadValueIsNamedWithWhatIsExpected() {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("tolerations=nvidia.com/gpu:NoScheduled", "the effect must be NoSchedule, PreferNoSchedule or NoExecute");
    cases.put("tolerations=bad key:NoSchedule", "not a Kubernetes key");
    cases.put("tolerations=k=:NoSchedule", "empty value (write KEY:EFFECT");
    cases.put("gpuTolerations=none\nspot", "\"none\" cannot be combined");
    cases.put("gpuTolerations=", "empty (write none for no tolerations)");
    cases.put("tolerations=a:NoSchedule\na:NoSchedule", "given twice");
    cases.put("imagePullSecrets=NGC", "\"NGC\" is not a Secret name");
    cases.put("imagePullSecrets=ngc\nngc", "Secret \"ngc\" is given twice");
    cases.put("serviceAccountName=Inference", "\"Inference\" is not a Kubernetes object name");
    cases.put("priorityClassName=high priority", "not a Kubernetes object name");
    cases.put("runtimeClassName=nvidia_", "not a Kubernetes object name");
    cases.put("schedulerName=-volcano", "not a Kubernetes object name");
    cases.put("podLabels=team", "\"team\" is not KEY=VALUE");
    cases.put("podLabels=team=a b", "label team: value \"a b\" is not a label value");
    cases.put("podLabels=app.kubernetes.io/component=x", "set by dynamo-deploy or a Kubernetes controller");
    cases.put("podLabels=deploy.dynamo.ai/graph=x", "set by dynamo-deploy or a Kubernetes controller");
    cases.put("podAnnotations=leaderworkerset.sigs.k8s.io/size=3", "set by dynamo-deploy or a Kubernetes controller");
    cases.put("podAnnotations=x/=1", "annotation key \"x/\" is not a Kubernetes key");
    cases.put("podAnnotations=a=1\na=2", "annotation a is given twice");
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, String> e : cases.entrySet()) {
      int eq = e.getKey().indexOf('=');
      String key = e.getKey().substring(0, eq);
      String value = e.getKey().substring(eq + 1);
      IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
          () -> K8sRenderer.render(K8sTestGraphs.seed(), Map.of(key, value)), e.getKey());
      if (!x.getMessage().startsWith("setting " + key + ": ") || !x.getMessage().contains(e.getValue())) {
        failures.add(e.getKey() + " -> " + x.getMessage());
      }
      assertEquals(x.getMessage(), "setting " + key + ": " + K8sRenderer.settingProblem(key, value));
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void goodValuesPass() {
    for (String[] ok : new String[][] {
        {"tolerations", "nvidia.com/gpu"}, {"tolerations", "example.com/a-b_c.d=v-1.2_3:NoExecute"},
        {"gpuTolerations", "none"}, {"imagePullSecrets", "ngc\nregistry.example"},
        {"podLabels", "a=\nexample.com/b=c"}, {"podAnnotations", "a=any text: even # and \"quotes\""},
        {"multinode", "auto"}, {"namespace", "team-a"}}) {
      assertNull(K8sRenderer.settingProblem(ok[0], ok[1]), ok[0] + "=" + ok[1]);
    }
    assertEquals(List.of("setting namespace: \"Team\" is not a Kubernetes namespace name (lower-case letters, digits "
        + "and '-', starting and ending with a letter or digit, at most 63)",
        "setting serviceAccountName: \"A\" is not a Kubernetes object name (lower-case letters, digits, '-' and '.', "
            + "starting and ending with a letter or digit, at most 253)"),
        K8sRenderer.settingProblems(Map.of("serviceAccountName", "A", "namespace", "Team", "partition", "x")));
  }
}

package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.action.TargetChoice;
import ai.dynamo.deploy.ir.ExampleGraphs;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphLoader;
import ai.dynamo.deploy.ir.Target;
import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.workflows.SpecDigest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes pod and multi-node flags (and their profile keys) become settings, each value is checked where it
 * was written (exit 2 naming the flag, or the profile's file:line:column), and every one changes the spec digest.
 */
class K8sPodFlagsTest {
  @TempDir Path dir;

  private static TargetChoice parse(String... args) {
    return TargetOptionsTest.parse(args);
  }

  @Test
  void everyFlagReachesItsSettingRepeatableOnesAsLines() {
    TargetChoice c = parse("--target", "k8s", "--multinode", "lws",
        "--toleration", "dedicated=inference:NoSchedule", "--toleration", "spot",
        "--gpu-toleration", "none",
        "--image-pull-secret", "ngc", "--image-pull-secret", "mirror",
        "--service-account", "inference", "--priority-class", "high", "--runtime-class", "nvidia",
        "--scheduler-name", "volcano", "--pod-label", "team=llm", "--pod-label", "tier=gold",
        "--pod-annotation", "note=a: b");
    Map<String, String> s = c.settings();
    assertEquals("lws", s.get(TargetSettingKeys.K8S_MULTINODE));
    assertEquals("dedicated=inference:NoSchedule\nspot", s.get(TargetSettingKeys.K8S_TOLERATIONS));
    assertEquals("none", s.get(TargetSettingKeys.K8S_GPU_TOLERATIONS));
    assertEquals("ngc\nmirror", s.get(TargetSettingKeys.K8S_IMAGE_PULL_SECRETS));
    assertEquals("inference", s.get(TargetSettingKeys.K8S_SERVICE_ACCOUNT));
    assertEquals("high", s.get(TargetSettingKeys.K8S_PRIORITY_CLASS));
    assertEquals("nvidia", s.get(TargetSettingKeys.K8S_RUNTIME_CLASS));
    assertEquals("volcano", s.get(TargetSettingKeys.K8S_SCHEDULER));
    assertEquals("team=llm\ntier=gold", s.get(TargetSettingKeys.K8S_POD_LABELS));
    assertEquals("note=a: b", s.get(TargetSettingKeys.K8S_POD_ANNOTATIONS));
    assertFalse(parse("--target", "k8s").settings().containsKey(TargetSettingKeys.K8S_GPU_TOLERATIONS),
        "the GPU default is the renderer's, not a hidden setting");
  }

  @Test
  void aBadValueIsAUsageErrorNamingTheFlag() {
    String[][] cases = {
        {"--toleration", "nvidia.com/gpu:NoScheduled", "error: --toleration: toleration \"nvidia.com/gpu:NoScheduled\": the effect must be NoSchedule, PreferNoSchedule or NoExecute"},
        {"--gpu-toleration", "bad key", "error: --gpu-toleration: toleration \"bad key\": key"},
        {"--image-pull-secret", "NGC", "error: --image-pull-secret: \"NGC\" is not a Secret name"},
        {"--service-account", "Inference", "error: --service-account: \"Inference\" is not a Kubernetes object name"},
        {"--priority-class", "a b", "error: --priority-class:"},
        {"--runtime-class", "_nvidia", "error: --runtime-class:"},
        {"--scheduler-name", "Volcano", "error: --scheduler-name:"},
        {"--pod-label", "team", "error: --pod-label: \"team\" is not KEY=VALUE"},
        {"--pod-label", "app.kubernetes.io/name=x", "error: --pod-label: label app.kubernetes.io/name is set by dynamo-deploy"},
        {"--pod-annotation", "deploy.dynamo.ai/x=1", "error: --pod-annotation: annotation deploy.dynamo.ai/x is set by"},
        {"--multinode", "leaderworkerset", "error: --multinode: \"leaderworkerset\" is not a multi-node mode (statefulset, lws or auto)"},
        {"--namespace", "Team_A", "error: --namespace: \"Team_A\" is not a Kubernetes namespace name"},
        {"--set", "gpuTolerations=", "error: --set gpuTolerations: empty (write none for no tolerations)"},
    };
    for (String[] c : cases) {
      UserError e = assertThrows(UserError.class, () -> parse("--target", "k8s", c[0], c[1]), c[0] + " " + c[1]);
      assertEquals(ExitCodes.INVALID, e.exitCode());
      assertTrue(e.getMessage().startsWith(c[2]), c[0] + " " + c[1] + " -> " + e.getMessage());
    }
    UserError onSlurm = assertThrows(UserError.class,
        () -> parse("--target", "slurm", "--ssh-host", "login1", "--toleration", "spot"));
    assertTrue(onSlurm.getMessage().contains("--toleration applies to --target k8s, not --target slurm"),
        onSlurm.getMessage());
  }

  @Test
  void theProfileTakesListsAndMappingsAndReportsABadValueWithItsPosition() throws IOException {
    Path profile = Files.writeString(dir.resolve("p.yaml"), """
        k8s:
          multinode: lws
          gpuTolerations: ["nvidia.com/gpu:NoSchedule", "nvidia.com/gpu.product=H100:NoExecute"]
          imagePullSecrets: [ngc]
          podLabels: {team: llm, tier: gold}
          podAnnotations:
            note: "serves: llama"
        """);
    Map<String, String> s = parse("--target", "k8s", "--profile", profile.toString(), "--pod-label", "team=ops")
        .settings();
    assertEquals("nvidia.com/gpu:NoSchedule\nnvidia.com/gpu.product=H100:NoExecute",
        s.get(TargetSettingKeys.K8S_GPU_TOLERATIONS));
    assertEquals("team=ops", s.get(TargetSettingKeys.K8S_POD_LABELS), "a flag replaces the profile's list");
    assertEquals("note=serves: llama", s.get(TargetSettingKeys.K8S_POD_ANNOTATIONS));
    assertEquals("lws", s.get(TargetSettingKeys.K8S_MULTINODE));

    Path bad = Files.writeString(dir.resolve("bad.yaml"), "k8s:\n  namespace: a\n  tolerations: [\"spot:Never\"]\n");
    UserError e = assertThrows(UserError.class, () -> parse("--target", "k8s", "--profile", bad.toString()));
    assertEquals(ExitCodes.INVALID, e.exitCode());
    assertTrue(e.getMessage().startsWith(bad + ":3:16: k8s.tolerations: toleration \"spot:Never\": the effect must be"),
        e.getMessage());
    Path mapping = Files.writeString(dir.resolve("map.yaml"), "k8s:\n  serviceAccountName: {a: b}\n");
    UserError m = assertThrows(UserError.class, () -> parse("--target", "k8s", "--profile", mapping.toString()));
    assertTrue(m.getMessage().startsWith(mapping + ":2:23: k8s.serviceAccountName: expected a single value"),
        m.getMessage());
  }

  @Test
  void everyPodSettingChangesTheSpecDigest() {
    Graph graph = GraphLoader.load(ExampleGraphs.repositoryRoot().resolve("examples/demo-graph.yaml"), Target.K8S)
        .graph();
    String plain = SpecDigest.of(graph, parse("--target", "k8s").spec());
    String[][] variants = {{"--toleration", "spot"}, {"--gpu-toleration", "none"}, {"--image-pull-secret", "ngc"},
        {"--service-account", "sa"}, {"--priority-class", "p"}, {"--runtime-class", "nvidia"},
        {"--scheduler-name", "volcano"}, {"--pod-label", "a=b"}, {"--pod-annotation", "a=b"}, {"--multinode", "lws"}};
    java.util.Set<String> digests = new java.util.HashSet<>();
    digests.add(plain);
    for (String[] v : variants) {
      String digest = SpecDigest.of(graph, parse("--target", "k8s", v[0], v[1]).spec());
      assertNotEquals(plain, digest, v[0]);
      digests.add(digest);
    }
    assertEquals(variants.length + 1, digests.size(), "all different");
  }

  @Test
  void renderingWithTheFlagsWritesThemAndAutoNeedsACluster() throws IOException {
    Path graph = Files.writeString(dir.resolve("demo.yaml"), ExampleGraphs.text(ExampleGraphs.DEMO));
    Path out = dir.resolve("out");
    CliRun run = CliRun.of("deploy", "--target", "k8s", "-f", graph.toString(), "--out_dir", out.toString(),
        "--multinode", "lws", "--image-pull-secret", "ngc", "--gpu-toleration", "dedicated=gpu:NoSchedule");
    assertEquals(0, run.exitCode(), run.err());
    String group = Files.readString(out.resolve("sglang-group.yaml"));
    assertTrue(group.contains("kind: LeaderWorkerSet") && group.contains("- name: ngc")
        && group.contains("value: gpu") && !group.contains("nvidia.com/gpu\n"), group);

    CliRun auto = CliRun.of("deploy", "--target", "k8s", "-f", graph.toString(), "--out_dir",
        dir.resolve("auto").toString(), "--multinode", "auto");
    assertEquals(ExitCodes.INVALID, auto.exitCode());
    assertTrue(auto.err().contains("multinode=auto is decided by the cluster at deploy time"), auto.err());
    assertFalse(auto.err().contains("Exception"), auto.err());

    CliRun badFlag = CliRun.of("deploy", "--target", "k8s", "-f", graph.toString(), "--out_dir",
        dir.resolve("bad").toString(), "--toleration", "a:Nope");
    assertEquals(ExitCodes.INVALID, badFlag.exitCode());
    assertTrue(badFlag.err().startsWith("error: --toleration: toleration \"a:Nope\""), badFlag.err());
    assertFalse(Files.exists(dir.resolve("bad")), "nothing written");
  }
}

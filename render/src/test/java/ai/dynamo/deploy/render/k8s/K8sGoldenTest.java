package ai.dynamo.deploy.render.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The examples render exactly as the golden files under {@code render/src/test/resources/golden/<set>/<example>/}:
 * {@code k8s} with the default settings (namespace {@code default}), {@code k8s-lws} with {@code multinode=lws}, and
 * {@code k8s-pod-settings} with every pod setting and LeaderWorkerSet. After an intended change, regenerate them with
 * {@code mvn -o -pl render -am test -Dtest=K8sGoldenTest -Dsurefire.failIfNoSpecifiedTests=false -Dgolden.update=true}
 * and review the diff.
 */
class K8sGoldenTest {
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  /** Every pod setting, as flags and profiles give them (lists one entry per line). */
  static final Map<String, String> POD_SETTINGS = podSettings();

  private static Map<String, String> podSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("multinode", "lws");
    s.put("namespace", "llm");
    s.put("tolerations", "dedicated=inference:NoSchedule");
    s.put("gpuTolerations", "nvidia.com/gpu:NoSchedule\nnvidia.com/gpu.product=H100:NoExecute");
    s.put("imagePullSecrets", "ngc-registry\nmirror-registry");
    s.put("serviceAccountName", "inference");
    s.put("priorityClassName", "inference-high");
    s.put("runtimeClassName", "nvidia");
    s.put("schedulerName", "volcano");
    s.put("podLabels", "team=llm\ncost-center=42");
    s.put("podAnnotations", "prometheus.io/scrape=true\nnote=serves: \"llama\" # not a comment");
    return s;
  }

  record Case(String set, String example, Map<String, String> settings) {
    @Override
    public String toString() {
      return set + "/" + example;
    }
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    for (String example : Examples.NAMES) cases.add(new Case("k8s", example, Map.of()));
    for (String example : Examples.NAMES) cases.add(new Case("k8s-lws", example, Map.of("multinode", "lws")));
    cases.add(new Case("k8s-pod-settings", "demo-graph", POD_SETTINGS));
    return cases;
  }

  static List<String> examples() {
    return Examples.NAMES;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void rendersAsTheGoldenFiles(Case c) throws IOException {
    Rendering rendering = K8sRenderer.render(Examples.load(c.example()), c.settings());
    assertEquals(List.of(), rendering.warnings());
    Path dir = Examples.repoRoot().resolve("render/src/test/resources/golden").resolve(c.set()).resolve(c.example());
    if (UPDATE) write(dir, rendering);

    TreeSet<String> expectedNames = new TreeSet<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(f -> expectedNames.add(f.getFileName().toString()));
    }
    TreeSet<String> renderedNames = new TreeSet<>();
    rendering.files().forEach(f -> renderedNames.add(f.relativePath()));
    assertEquals(expectedNames, renderedNames, "the same files, none stale, none missing");
    for (RenderedFile f : rendering.files()) {
      assertEquals(Files.readString(dir.resolve(f.relativePath()), StandardCharsets.UTF_8), f.content(),
          c + "/" + f.relativePath());
    }
    // every golden file is valid for the fabric8 model (LeaderWorkerSets: their pod templates and LWS's fields)
    FabricModels.loadAll(rendering);
  }

  @ParameterizedTest
  @MethodSource("examples")
  void reRenderingFromAFreshLoadIsByteIdentical(String example) {
    Rendering first = K8sRenderer.render(Examples.load(example), Map.of("namespace", "ns"));
    Rendering second = K8sRenderer.render(Examples.load(example), Map.of("namespace", "ns"));
    assertEquals(first.files(), second.files());
    assertTrue(first.files().size() >= 3);
  }

  private static void write(Path dir, Rendering rendering) throws IOException {
    Files.createDirectories(dir);
    try (Stream<Path> old = Files.list(dir)) {
      for (Path p : old.toList()) Files.delete(p);
    }
    for (RenderedFile f : rendering.files()) {
      Files.writeString(dir.resolve(f.relativePath()), f.content(), StandardCharsets.UTF_8);
    }
  }
}

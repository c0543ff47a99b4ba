package ai.dynamo.deploy.render.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The examples render exactly as the golden files under {@code render/src/test/resources/golden/k8s/<example>/}
 * (namespace {@code default}). After an intended change, regenerate them with
 * {@code mvn -o -pl render -am test -Dtest=K8sGoldenTest -Dsurefire.failIfNoSpecifiedTests=false -Dgolden.update=true}
 * and review the diff.
 */
class K8sGoldenTest {
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static List<String> examples() {
    return Examples.NAMES;
  }

  @ParameterizedTest
  @MethodSource("examples")
  void rendersAsTheGoldenFiles(String example) throws IOException {
    Rendering rendering = K8sRenderer.render(Examples.load(example), Map.of());
    assertEquals(List.of(), rendering.warnings());
    Path dir = Examples.repoRoot().resolve("render/src/test/resources/golden/k8s").resolve(example);
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
          example + "/" + f.relativePath());
    }
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

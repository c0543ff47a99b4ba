package ai.dynamo.deploy.ir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The repository's example graphs (examples/*.yaml, on the test classpath as examples/NAME), loaded and validated.
 * Shared with other modules' tests through the ir test-jar.
 */
public final class ExampleGraphs {
  private ExampleGraphs() {}

  public static final String DEMO = "demo-graph.yaml";
  public static final String REFERENCE = "reference-graph.yaml";
  public static final String DISAGGREGATED = "disaggregated-graph.yaml";
  /** Every example that must be valid for every target. */
  public static final List<String> ALL = List.of(DEMO, REFERENCE, DISAGGREGATED);

  /**
   * The repository root: the first directory upwards from the working directory (a module's, under Maven) that
   * holds the parent pom and the {@code ir} module.
   */
  public static Path repositoryRoot() {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("ir"))) return dir;
    }
    throw new IllegalStateException("no repository root (pom.xml beside ir/) above " + start);
  }

  /** The text of examples/NAME. */
  public static String text(String name) {
    try (InputStream in = ExampleGraphs.class.getResourceAsStream("/examples/" + name)) {
      if (in == null) throw new IllegalArgumentException("no example graph " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** examples/NAME loaded for {@code target} (null: target-agnostic); fails loudly when it has errors. */
  public static Graph load(String name, Target target) {
    LoadResult r = GraphLoader.load("examples/" + name, text(name), target);
    if (!r.ok()) {
      throw new IllegalStateException("example " + name + " is invalid:\n"
          + String.join("\n", r.problems().stream().map(Problem::format).toList()));
    }
    return r.graph();
  }

  public static Graph demo() {
    return load(DEMO, null);
  }

  public static Graph reference() {
    return load(REFERENCE, null);
  }
}

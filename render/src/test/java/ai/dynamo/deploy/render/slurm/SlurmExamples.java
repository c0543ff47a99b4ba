package ai.dynamo.deploy.render.slurm;

import ai.dynamo.deploy.ir.GraphLoader;
import ai.dynamo.deploy.ir.LoadResult;
import ai.dynamo.deploy.ir.Target;
import ai.dynamo.deploy.render.Rendering;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The repository's example graphs ({@code examples/*.yaml}), loaded for Slurm and rendered. */
public final class SlurmExamples {
  private SlurmExamples() {}

  static final Path DIR = Path.of("../examples");

  /** Example files in name order. */
  static List<Path> files() {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code demo-graph.yaml} is {@code demo-graph}. */
  static String name(Path file) {
    return file.getFileName().toString().replaceFirst("\\.yaml$", "");
  }

  static Rendering render(Path file, Map<String, String> settings) {
    LoadResult loaded = GraphLoader.load(file, Target.SLURM);
    if (!loaded.ok()) throw new IllegalStateException(file + " does not load: " + loaded.errors());
    return SlurmRenderer.render(loaded.graph(), settings);
  }

  public static Map<String, Rendering> renderAll(Map<String, String> settings) {
    Map<String, Rendering> out = new LinkedHashMap<>();
    for (Path f : files()) out.put(name(f), render(f, settings));
    return out;
  }
}

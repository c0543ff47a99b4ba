package ai.dynamo.deploy.render.k8s;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.ExampleGraphs;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphLoader;
import ai.dynamo.deploy.ir.LoadResult;
import ai.dynamo.deploy.ir.Target;
import java.nio.file.Path;
import java.util.List;

/** The repository's example graphs, loaded through the real IR loader for the Kubernetes target. */
final class Examples {
  private Examples() {}

  static final List<String> NAMES = List.of("demo-graph", "disaggregated-graph", "reference-graph");

  static Path repoRoot() {
    return ExampleGraphs.repositoryRoot();
  }

  static Graph load(String name) {
    Path file = repoRoot().resolve("examples").resolve(name + ".yaml");
    LoadResult result = GraphLoader.load(file, Target.K8S);
    assertTrue(result.ok(), file + " loads for k8s: " + result.problems());
    return result.graph();
  }
}

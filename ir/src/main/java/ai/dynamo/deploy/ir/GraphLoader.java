package ai.dynamo.deploy.ir;

import java.nio.file.Path;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads a graph file: reads it safely, validates it against IR v1 and, when a target is given, against that
 * target's needs. Never throws for bad input: every problem is in the {@link LoadResult}, all of them at once,
 * ordered by position.
 */
public final class GraphLoader {
  private GraphLoader() {}

  /** At most this many problems are listed; a last line counts the rest. */
  public static final int MAX_PROBLEMS = 200;

  /** Target-agnostic checks only. */
  public static LoadResult load(Path file) {
    return load(file, null);
  }

  /** Target-agnostic checks, then the target's own when {@code target} is not null. */
  public static LoadResult load(Path file, Target target) {
    Problems problems = new Problems(file.toString());
    return finish(YamlSource.read(file, problems), target, problems);
  }

  /** The same for YAML text already in memory; {@code displayName} is the file name used in messages. */
  public static LoadResult load(String displayName, String yaml, Target target) {
    Problems problems = new Problems(displayName);
    return finish(YamlSource.parse(yaml, problems), target, problems);
  }

  private static LoadResult finish(Node root, Target target, Problems problems) {
    if (root == null) return new LoadResult(null, problems.sorted(MAX_PROBLEMS));
    GraphValidator.Result r = new GraphValidator(problems).validate(root);
    Graph graph = r.graph();
    if (graph != null) {
      TargetChecks.check(graph, target, r.positions(), problems);
      if (problems.hasErrors()) graph = null;
    }
    return new LoadResult(graph, problems.sorted(MAX_PROBLEMS));
  }
}

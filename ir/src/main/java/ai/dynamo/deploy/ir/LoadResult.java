package ai.dynamo.deploy.ir;

import java.util.List;

/**
 * The outcome of loading a graph file.
 *
 * @param graph the validated graph, or null when there is any error
 * @param problems every error and warning found, ordered by position in the file (problems about the whole file
 *     first)
 */
public record LoadResult(Graph graph, List<Problem> problems) {
  public LoadResult {
    problems = List.copyOf(problems);
    if (graph != null && problems.stream().anyMatch(Problem::isError)) {
      throw new IllegalArgumentException("a graph with errors must not be returned");
    }
  }

  /** True when there is no error (warnings allowed); then {@link #graph()} is set. */
  public boolean ok() {
    return graph != null;
  }

  public List<Problem> errors() {
    return problems.stream().filter(Problem::isError).toList();
  }

  public List<Problem> warnings() {
    return problems.stream().filter(p -> !p.isError()).toList();
  }
}

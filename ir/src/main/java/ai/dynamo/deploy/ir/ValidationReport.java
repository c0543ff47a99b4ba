package ai.dynamo.deploy.ir;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code dynamo validate} says about a file: one line per problem (warnings too) and, when valid, a one-line
 * summary. Kept here rather than in the CLI so the command class only prints.
 *
 * @param valid true when there is no error
 * @param problems each problem formatted as {@code file:line:column: path: message}, in file order
 * @param summary for a valid graph {@code NAME: valid for TARGET: N components, M GPUs}; for an invalid one the
 *     error and warning counts
 */
public record ValidationReport(boolean valid, List<String> problems, String summary) {
  public ValidationReport {
    problems = List.copyOf(problems);
  }

  public static ValidationReport validate(Path file, Target target) {
    return of(GraphLoader.load(file, target), target);
  }

  public static ValidationReport of(LoadResult result, Target target) {
    List<String> lines = result.problems().stream().map(Problem::format).toList();
    if (!result.ok()) {
      return new ValidationReport(false, lines, "invalid: " + count(result.errors().size(), "error") + ", "
          + count(result.warnings().size(), "warning"));
    }
    Graph g = result.graph();
    String scope = target == null ? "valid" : "valid for " + target.cliName();
    String summary = g.name() + ": " + scope + ": " + count(g.components().size(), "component") + ", "
        + count(g.totalGpus(), "GPU") + (target == null ? " (target-agnostic; add --target k8s|slurm for target checks)" : "");
    return new ValidationReport(true, lines, summary);
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}

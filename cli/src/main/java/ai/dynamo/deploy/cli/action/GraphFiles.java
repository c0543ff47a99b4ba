package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphLoader;
import ai.dynamo.deploy.ir.LoadResult;
import ai.dynamo.deploy.ir.Problem;
import ai.dynamo.deploy.ir.Target;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Loads a graph file for a target kind, with that target's checks; every problem is reported at once. */
public final class GraphFiles {
  private GraphFiles() {}

  /**
   * @param warnings where warnings are printed (they do not stop the command)
   * @throws UserError ({@link ExitCodes#INVALID}) listing every error, one {@link Problem#format()} per line
   */
  public static Graph load(Path file, String targetKind, PrintWriter warnings) {
    // A contributed target (the tests' fake), or none yet (diff by name): target-agnostic checks only.
    Target target = targetKind != null && TargetChoice.isBuiltIn(targetKind) ? Target.parse(targetKind) : null;
    LoadResult result = GraphLoader.load(file, target);
    result.warnings().forEach(w -> warnings.println(w.format()));
    warnings.flush();
    if (!result.ok()) {
      throw new UserError(ExitCodes.INVALID,
          result.errors().stream().map(Problem::format).collect(Collectors.joining("\n")));
    }
    return result.graph();
  }
}

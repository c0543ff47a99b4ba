package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.GraphFiles;
import ai.dynamo.deploy.cli.action.TargetChoice;
import ai.dynamo.deploy.cli.action.TemporalService;
import ai.dynamo.deploy.cli.temporal.TemporalConnection;
import ai.dynamo.deploy.client.DeployDiffs;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.ComponentChange;
import ai.dynamo.deploy.workflows.DeployDiff;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.TargetLabels;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dynamo deploy diff -f FILE [target flags]}: what a deploy would do, per component, with a unified diff of
 * the rendered files against the live revision's; exit 0 no change, 1 changes, 2 invalid (as {@code kubectl diff}).
 */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = {
      "Show what a deploy of the file would do, per component (unchanged, update (strategy), add, remove), with a",
      "unified diff of the rendered sbatch scripts or manifests against the live revision's. Nothing is applied.",
      "Exit codes: 0 no change, 1 changes, 2 invalid input, 4 cannot reach Temporal or the target.",
      "Example: dynamo deploy diff -f graph.yaml --target slurm --ssh-host login1 --strategy auto"})
final class DeployDiffCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", required = true, description = "The graph file (YAML).")
  Path file;

  @Mixin TargetOptions target;
  @Mixin TemporalOptions temporal;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    TargetChoice choice = target.resolve();
    Graph graph = GraphFiles.load(file, choice.kind(), spec.commandLine().getErr());
    DeployCommand.checkUpdateSettings(choice, graph);
    DeployRequest request = DeployRequest.of(graph, choice.spec(), DeployOptions.defaults(DeployCommand.startedBy()));
    TemporalConnection configured = temporal.resolve();
    DeployDiff diff;
    try (TemporalService service =
        TemporalService.pick(configured, TemporalConnection.LOCAL_PORT, spec.commandLine().getErr(), "diff")) {
      try {
        diff = DeployDiffs.diff(service.client(), request);
      } catch (StatusRuntimeException e) {
        throw service.connection().unreachable(e);
      } catch (DeployDiffs.InvalidRequestException e) {
        throw new UserError(ExitCodes.INVALID, "error: " + e.getMessage());
      }
    }
    print(out, graph.name(), TargetLabels.of(request.target()), diff);
    diff.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
    return diff.changes() ? ExitCodes.DEPLOY_FAILED : ExitCodes.OK;
  }

  static void print(PrintWriter out, String graph, String target, DeployDiff diff) {
    int live = diff.plan().liveRevision();
    out.println("diff " + graph + " -> " + target + " (" + (live == 0 ? "not deployed: first install" : "live revision "
        + live) + "): " + diff.plan().summary());
    int width = diff.plan().components().stream().mapToInt(c -> c.component().length()).max().orElse(4);
    for (ComponentChange c : diff.plan().components()) {
      out.println(String.format("  %-" + width + "s  %-20s %s", c.component(), c.verb(), c.reason()).stripTrailing());
    }
    for (DeployDiff.ComponentDiff d : diff.diffs()) {
      if (d.unified().isEmpty()) continue;
      out.println();
      out.print(d.unified());
    }
    out.flush();
  }
}

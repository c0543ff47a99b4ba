package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.GraphFiles;
import ai.dynamo.deploy.cli.action.TargetChoice;
import ai.dynamo.deploy.cli.action.TemporalService;
import ai.dynamo.deploy.client.DeployDiffs;
import ai.dynamo.deploy.ir.ShellQuote;
import ai.dynamo.deploy.client.DeployResolver.Resolution;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.ChangeKind;
import ai.dynamo.deploy.workflows.ComponentChange;
import ai.dynamo.deploy.workflows.DeployDiff;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.TargetLabels;
import ai.dynamo.deploy.workflows.TargetSpec;
import ai.dynamo.deploy.workflows.UpdatePlan;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dynamo deploy diff -f FILE [target flags]}: what a deploy would do, per component, with a unified diff of
 * the rendered files against the live revision's; exit 0 no change, 1 changes, 2 invalid (as {@code kubectl diff}).
 * Where: the place the flags name; else, as every verb, where Temporal says the file's graph is deployed
 * ({@link DeployRef#byName}); deployed nowhere: every component is an {@code add}, without asking any target.
 */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = {
      "Show what a deploy of the file would do, per component (unchanged, update (strategy), add, remove),"
          + " with a unified diff of the rendered sbatch scripts or manifests against the live revision's."
          + " Nothing is applied.",
      "Without target flags, the graph is found where Temporal says it is deployed (as every verb finds"
          + " it).",
      "Exit codes: 0 no change, 1 changes, 2 invalid input, 4 cannot reach Temporal or the target."
    },
    footerHeading = "%nExample:%n",
    footer = "  dynamo deploy diff -f graph.yaml --target slurm --ssh-host login1 --strategy auto")
final class DeployDiffCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", required = true, description = "The graph file (YAML).")
  Path file;

  @Option(names = "--reset-settings",
      description = "Compare a deploy with only the target flags and --profile given, not the settings the graph's deploy was started with (as helm upgrade --reset-values).")
  boolean resetSettings;

  @Mixin TargetOptions target;
  @Mixin TemporalOptions temporal;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // First, before a warning is printed: what would embed a service or read a relative ssh config runs in the
    // caller's own process.
    temporal.handBackIfEmbedding(TemporalService.localPort());
    target.handBackIfRelativeSshConfig();
    TargetChoice flagged = target.namesPlace() ? target.resolve() : null;
    Graph graph = GraphFiles.load(file, flagged != null ? flagged.kind() : target.kindGiven(), err);
    DeployDiff diff;
    TargetSpec where;
    try (TemporalService service = TemporalService.pick(temporal.resolve(), TemporalService.localPort(), err, "diff",
        temporal.caller())) {
      try {
        where = located(service, graph.name(), flagged, err);
        if (where == null) {
          diff = nowhere(graph);
        } else {
          if (flagged == null) graph = GraphFiles.load(file, where.kind(), new PrintWriter(PrintWriter.nullWriter()));
          DeployCommand.checkUpdateSettings(where.settings(), graph);
          DeployRequest request = DeployRequest.of(graph, where,
              DeployOptions.defaults(DeployCommand.startedBy(temporal.callerEnvironment())));
          diff = DeployDiffs.diff(service.client(), request, temporal.requestTimeout());
        }
      } catch (StatusRuntimeException e) {
        throw service.connection().unreachable(e);
      } catch (DeployDiffs.InvalidRequestException e) {
        throw new UserError(ExitCodes.INVALID, "error: " + e.getMessage());
      }
    }
    print(out, graph.name(), where == null ? "nowhere" : TargetLabels.of(where), diff);
    diff.warnings().forEach(w -> err.println("warning: " + w));
    return diff.changes() ? ExitCodes.DEPLOY_FAILED : ExitCodes.OK;
  }

  /**
   * Where the graph is deployed (the place the flags name, else where Temporal says) with the settings its deploy was
   * started with under the flags given; the flags alone for a place Temporal knows no deploy at; null: nowhere.
   */
  private TargetSpec located(TemporalService service, String graph, TargetChoice flagged, PrintWriter err) {
    Resolution found = service.embedded() != null ? null // a service started for this command knows no deploy
        : RecordedPlace.find(service.client(), graph, target, "diff -f " + ShellQuote.word(file.toString()),
            resetSettings);
    if (found != null) {
      RecordedPlace.tell(err, found);
      return found.target();
    }
    if (flagged != null) return flagged.spec();
    if (target.kindGiven() != null) return target.resolve().spec(); // --target alone: that kind's default place
    return null;
  }

  /** A graph deployed nowhere: a deploy would add every component. */
  private static DeployDiff nowhere(Graph graph) {
    List<ComponentChange> adds = graph.components().stream().map(Component::name)
        .map(n -> new ComponentChange(n, ChangeKind.ADD, null, "not deployed anywhere this Temporal service knows",
            "", "", 0, ""))
        .toList();
    return new DeployDiff(new UpdatePlan(0, adds, List.of()), List.of(), List.of());
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

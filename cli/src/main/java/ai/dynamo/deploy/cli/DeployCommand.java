package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.workflows.Durations;
import ai.dynamo.deploy.cli.action.GraphFiles;
import ai.dynamo.deploy.cli.action.RenderDeploy;
import ai.dynamo.deploy.cli.action.RunDeploy;
import ai.dynamo.deploy.cli.action.TargetChoice;
import ai.dynamo.deploy.cli.action.TemporalService;
import ai.dynamo.deploy.client.DeployResolver.Resolution;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.TargetSettings;
import ai.dynamo.deploy.ir.ShellQuote;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.UpdateSettings;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dynamo deploy}: with {@code --out_dir}, renders deployment files; otherwise starts (or attaches to) the
 * durable deploy workflow. Its own verbs (status, list, ...) are listed in {@link Main#SUBVERBS} and added by
 * {@link Verbs}, so that a command line models only the one it runs.
 */
@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    description = {
      "Render a graph to files (--out_dir), or deploy it through Temporal (prints the workflow ID; --wait follows it).",
      "Exit codes: 0 ready/written, 1 deploy failed (rolled back), 2 invalid input or usage, 3 timed out, 4 cannot reach Temporal or the target."
    },
    footerHeading = "%nExample:%n",
    footer = "  dynamo deploy --target slurm --ssh-host login1 -f graph.yaml --wait --timeout 2h")
public final class DeployCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The graph file (YAML).")
  Path file;

  @Option(names = {"--out_dir", "--out-dir"}, paramLabel = "DIR",
      description = "Render into DIR instead of deploying (no Temporal, no cluster).")
  Path outDir;

  @Option(names = "--wait", description = "Follow the deploy until it is ready or has failed.")
  boolean waitForEnd;

  @Option(names = "--timeout", paramLabel = "DURATION",
      description = "Readiness timeout per component, e.g. 90m, 2h, 45s (default: 90m). k8s: also how long the"
          + " startup probes let a pod start (rendered, so --out_dir files carry it too).")
  String timeout;

  @Option(names = "--on-failure", paramLabel = "POLICY", defaultValue = "rollback",
      description = "rollback (default): roll back at once; pause: keep the failed state and wait for"
          + " `dynamo deploy retry|rollback|abort NAME` (rolls back by itself after --pause-timeout).")
  String onFailure;

  @Option(names = "--pause-timeout", paramLabel = "DURATION",
      description = "With --on-failure pause: how long to wait for a decision before rolling back (default: 12h).")
  String pauseTimeout;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table (default): progress for people; json or yaml: only the final result on stdout (the files"
          + " written, or the deploy's status document as `dynamo deploy status -o json` prints it), progress on stderr.")
  OutputFormat output;

  @Option(names = "--reset-settings",
      description = "Deploy with only the target flags and --profile given, not the settings the graph's deploy was"
          + " started with (as helm upgrade --reset-values; its place is still found by name). Default: those settings,"
          + " each flag given replacing one.")
  boolean resetSettings;

  @Mixin TargetOptions target;
  @Mixin TemporalOptions temporal;

  @Override
  public Integer call() throws Exception {
    if (file == null) {
      throw new UserError(ExitCodes.INVALID,
          "error: missing the graph file: dynamo deploy -f FILE [--target k8s|slurm] [--out_dir DIR | --wait]");
    }
    // First, before a warning is printed: a deploy that would embed a service runs in the caller's own process.
    if (outDir == null) {
      temporal.handBackIfEmbedding(TemporalService.localPort());
      target.handBackIfRelativeSshConfig();
    }
    TargetChoice choice = target.resolve();
    // Without --target a deploy may go where the graph is deployed: its target's checks come once that is known.
    boolean kindKnown = outDir != null || target.kindGiven() != null;
    Graph graph = kindKnown ? GraphFiles.load(file, choice.kind(), spec.commandLine().getErr())
        : GraphFiles.load(file, null, new PrintWriter(PrintWriter.nullWriter()));
    checkUpdateSettings(choice.settings(), graph);
    Duration readinessTimeout = timeout == null ? DeployOptions.DEFAULT_READINESS_TIMEOUT : parseTimeout(timeout);
    if (outDir != null) {
      // the timeout is rendered too (Kubernetes' startup probes), so files match what a deploy would apply
      RenderDeploy.Result result = RenderDeploy.render(graph, choice, readinessTimeout, outDir);
      result.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
      // stdout stays the list of files written; what an earlier render left and this one removed goes beside it
      result.removed().forEach(p -> spec.commandLine().getErr().println("removed " + p + " (an earlier render's)"));
      if (output == OutputFormat.table) result.written().forEach(p -> spec.commandLine().getOut().println(p));
      else spec.commandLine().getOut().println(output.write(result.document(outDir)));
      return ExitCodes.OK;
    }
    DeployOptions options = new DeployOptions(readinessTimeout, DeployOptions.DEFAULT_ROLLBACK_TIMEOUT,
        startedBy(temporal.callerEnvironment()));
    options = failurePolicy(options);
    // A login node the flags name, with a bad ssh config, fails here, before anything connects; one found by name
    // is checked once found.
    if (choice.kind().equals(TargetChoice.SLURM) && target.namesPlace()) loginWarnings(choice);
    Graph fromFlags = graph;
    return new RunDeploy(temporal.resolve(), spec.commandLine().getOut(), spec.commandLine().getErr())
        .caller(temporal.caller())
        .document(output == OutputFormat.table ? null : output::write)
        .run(client -> placed(client, fromFlags, kindKnown ? choice.kind() : null, choice), options, waitForEnd);
  }

  /**
   * A graph already deployed (at the place the flags name, else where Temporal says) is deployed again with the
   * settings its deploy was started with, the flags given replacing one setting each; else the flags alone.
   */
  private RunDeploy.Placed placed(WorkflowClient client, Graph graph, String loadedFor, TargetChoice flagged) {
    Resolution found = client == null ? null
        : RecordedPlace.find(client, graph.name(), target, "-f " + ShellQuote.word(file.toString()), resetSettings);
    TargetChoice choice = flagged;
    if (found != null) {
      RecordedPlace.tell(spec.commandLine().getErr(), found);
      choice = TargetChoice.of(found.target().kind(), null, found.target().settings());
    }
    if (!choice.kind().equals(loadedFor)) {
      graph = GraphFiles.load(file, choice.kind(), loadedFor == null ? spec.commandLine().getErr()
          : new PrintWriter(PrintWriter.nullWriter()));
    }
    if (found != null) checkUpdateSettings(choice.settings(), graph);
    if (choice.kind().equals(TargetChoice.SLURM) && !target.namesPlace()) loginWarnings(choice);
    return new RunDeploy.Placed(graph, choice);
  }

  /** Without a login host, or with a bad ssh config, the deploy fails here, before anything is started. */
  private void loginWarnings(TargetChoice choice) {
    choice.loginNode().warnings().forEach(w -> spec.commandLine().getErr().println("warning: ssh config: " + w));
  }

  private static Duration parseTimeout(String text) {
    Duration parsed;
    try {
      parsed = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UserError(ExitCodes.INVALID, "error: --timeout: " + e.getMessage());
    }
    // Kubernetes' startup probes allow this long; a window the API cannot hold is refused before anything starts
    if (parsed.compareTo(Duration.ofSeconds(TargetSettings.MAX_READINESS_TIMEOUT_SECONDS)) > 0) {
      throw new UserError(ExitCodes.INVALID, "error: --timeout " + text + ": at most a year ("
          + TargetSettings.MAX_READINESS_TIMEOUT_SECONDS + "s)");
    }
    return parsed;
  }

  private DeployOptions failurePolicy(DeployOptions options) {
    switch (onFailure) {
      case "rollback" -> {
        if (pauseTimeout != null) {
          throw new UserError(ExitCodes.INVALID, "error: --pause-timeout applies only with --on-failure pause");
        }
        return options;
      }
      case "pause" -> {
        Duration timeout = null;
        if (pauseTimeout != null) {
          try {
            timeout = Durations.parse(pauseTimeout);
          } catch (IllegalArgumentException e) {
            throw new UserError(ExitCodes.INVALID, "error: --pause-timeout: " + e.getMessage());
          }
        }
        return options.pausingOnFailure(timeout);
      }
      default -> throw new UserError(ExitCodes.INVALID,
          "error: --on-failure must be rollback or pause, not \"" + onFailure + "\"");
    }
  }

  /** A strategy for a component the graph does not have, or a bad value: exit 2 before anything starts. */
  static void checkUpdateSettings(java.util.Map<String, String> settings, Graph graph) {
    java.util.List<String> problems = UpdateSettings.problems(settings, graph);
    if (!problems.isEmpty()) throw new UserError(ExitCodes.INVALID, "error: " + String.join("; ", problems));
  }

  /** Who starts a run: this user at this host ({@code HOSTNAME} of the caller's environment when unresolvable). */
  static String startedBy(java.util.Map<String, String> callerEnv) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = callerEnv.getOrDefault("HOSTNAME", "unknown-host");
    }
    return System.getProperty("user.name", "unknown") + "@" + host;
  }
}

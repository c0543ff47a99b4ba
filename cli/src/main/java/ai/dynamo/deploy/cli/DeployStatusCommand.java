package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.FollowRun;
import ai.dynamo.deploy.cli.action.TableView;
import ai.dynamo.deploy.client.DeployStatus;
import ai.dynamo.deploy.client.DeployWatcher;
import ai.dynamo.deploy.workflows.ComponentPhase;
import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.Phase;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dynamo deploy status NAME}: one deploy's state; {@code --wait} follows it like {@code deploy --wait}. */
@Command(name = "status", mixinStandardHelpOptions = true, modelTransformer = PlaceFlagsOnly.class,
    description = "Show a deploy's state, or follow it to its end with --wait.",
    footerHeading = "%nExample:%n", footer = {"  dynamo deploy status my-graph --wait", "",
        "Without --wait (and --debug), ./dynamo has status, list and history answered by a background client process"
            + " that keeps the Temporal connection open: 'dynamo daemon status|stop'; DYNAMO_DAEMON=off: never;"
            + " it exits after DYNAMO_DAEMON_IDLE (default 10m) or when dynamo is rebuilt."})
final class DeployStatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeployRef deploy;

  @Option(names = "--wait", description = "Follow the deploy until it ends; exit code as for 'dynamo deploy --wait'.")
  boolean waitForEnd;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "Output format: table, json or yaml (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return deploy.run("status", false, (client, found) -> {
      String workflowId = found.workflowId();
      if (waitForEnd) {
        String runId = DeployStatus.describe(client.newUntypedWorkflowStub(workflowId), workflowId)
            .getExecution().getRunId();
        return FollowRun.follow(client, workflowId, runId, out, err, DeployWatcher.POLL_INTERVAL, false);
      }
      DeployStatus.View view = new DeployStatus(client).status(workflowId);
      if (output == OutputFormat.table) printTable(out, view);
      else out.println(output.write(view));
      return ExitCodes.OK;
    });
  }

  static void printTable(PrintWriter out, DeployStatus.View v) {
    out.println("workflow  " + v.workflowId() + "   run " + v.runId() + "   " + v.status());
    if (v.phase() == null) {
      if (v.message() != null) out.println(v.message());
      return;
    }
    DeployProgress p = new DeployProgress(v.graph(), v.target(), Phase.valueOf(v.phase()),
        v.revision() == null ? 0 : v.revision(), v.message(),
        v.components().stream()
            .map(c -> new ComponentProgress(c.name(), ComponentPhase.valueOf(c.phase()), c.ready(), c.desired(),
                c.message(), 0, c.change()))
            .toList(),
        0, 0);
    TableView.render(p, null).forEach(out::println);
  }
}

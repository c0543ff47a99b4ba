package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.ProgressView;
import ai.dynamo.deploy.cli.action.TableView;
import ai.dynamo.deploy.client.DeployStatus;
import ai.dynamo.deploy.client.DeployWatcher;
import ai.dynamo.deploy.workflows.ComponentPhase;
import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dynamo deploy status NAME}: one deploy's state; {@code --wait} follows it like {@code deploy --wait}. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show a deploy: NAME is the graph name (with the target flags used to deploy it) or the workflow ID.")
final class DeployStatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeployRef deploy;

  @Option(names = "--wait", description = "Follow the deploy until it ends; exit code as for 'dynamo deploy --wait'.")
  boolean waitForEnd;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table, json or yaml (default: ${DEFAULT-VALUE}).")
  OutputFormat output;


  @Override
  public Integer call() throws Exception {
    String workflowId = deploy.workflowId();
    PrintWriter out = spec.commandLine().getOut();
    if (waitForEnd) {
      DeployWatcher.Ending ending = deploy.withClient(client -> {
        String runId = DeployStatus.describe(client.newUntypedWorkflowStub(workflowId), workflowId)
            .getExecution().getRunId();
        return watch(client, workflowId, runId, out);
      });
      int code = ExitCodes.of(ending);
      (code == ExitCodes.OK ? out : spec.commandLine().getErr()).println(ending.summary());
      return code;
    }
    DeployStatus.View view = deploy.withClient(client -> new DeployStatus(client).status(workflowId));
    if (output == OutputFormat.table) printTable(out, view);
    else out.println(output.write(view));
    return ExitCodes.OK;
  }

  private static DeployWatcher.Ending watch(WorkflowClient client, String workflowId, String runId, PrintWriter out) {
    try {
      return new DeployWatcher(client, DeployWatcher.POLL_INTERVAL)
          .watch(workflowId, runId, ProgressView.forOutput(out, ProgressView.interactiveTerminal()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError(ExitCodes.DEPLOY_FAILED, "interrupted while watching " + workflowId, e);
    }
  }

  private static void printTable(PrintWriter out, DeployStatus.View v) {
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

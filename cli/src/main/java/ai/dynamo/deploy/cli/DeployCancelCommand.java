package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.client.DeployDecisions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dynamo deploy cancel NAME}: asks a running deploy to stop; the workflow rolls back. */
@Command(name = "cancel", mixinStandardHelpOptions = true, modelTransformer = PlaceFlagsOnly.class,
    description = "Cancel a running deploy; its workflow rolls back what it applied.",
    footerHeading = "%nExample:%n", footer = "  dynamo deploy cancel my-graph")
final class DeployCancelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeployRef deploy;

  @Override
  public Integer call() {
    return deploy.run("cancel", false, (client, found) -> {
      String workflowId = found.workflowId();
      String runId = DeployDecisions.cancel(client, workflowId, "dynamo deploy cancel");
      spec.commandLine().getOut().println("Cancellation requested for " + workflowId + " (run " + runId
          + "); it rolls back. Watch: dynamo deploy status " + workflowId + " --wait");
      return ExitCodes.OK;
    });
  }
}

package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.client.DeployDecisions;
import ai.dynamo.deploy.workflows.DeployOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dynamo deploy rollback NAME [--to-revision N] [--wait]}. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
    description = {
      "Roll back: a paused deploy rolls back now; otherwise the recorded revision N (default: the one"
          + " before the live one) is deployed again and recorded as a new revision \"rolled back to N\"."
    },
    footerHeading = "%nExample:%n", footer = "  dynamo deploy rollback my-graph --to-revision 2 --wait")
final class DeployRollbackCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeployRef deploy;

  @Option(names = "--to-revision", paramLabel = "N", defaultValue = "0",
      description = "The recorded revision to restore (see `dynamo deploy history`); default: the previous one.")
  int toRevision;

  @Option(names = "--wait", description = "Follow the rollback until it ends; exit code 0 when it succeeded (the"
      + " paused deploy rolled back, or the revision is READY again), else as for 'dynamo deploy --wait'.")
  boolean waitForEnd;

  @Override
  public Integer call() {
    if (toRevision < 0) throw new UserError(ExitCodes.INVALID, "error: --to-revision must be a revision number (1, 2, ...)");
    return deploy.run("rollback", true, (client, found) -> {
      DeployDecisions.Outcome r = DeployDecisions.rollback(client, found.workflowId(), found.target(), toRevision,
          DeployOptions.defaults(DeployCommand.startedBy(deploy.temporal.callerEnvironment())),
          deploy.temporal.requestTimeout());
      return DecisionOutput.printRollback(client, r, waitForEnd, spec.commandLine(),
          deploy.temporal.caller());
    });
  }
}

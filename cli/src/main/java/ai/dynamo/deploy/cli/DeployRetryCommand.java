package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.client.DeployDecisions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dynamo deploy retry NAME}: a paused deploy re-runs what failed; an ended failed one runs again. */
@Command(name = "retry", mixinStandardHelpOptions = true,
    description = {
      "Retry a deploy: a paused one (--on-failure pause) re-runs only what failed; one that ended failed"
          + " starts again with the same spec, checking (not re-applying) what already runs."
    },
    footerHeading = "%nExample:%n", footer = "  dynamo deploy retry my-graph --wait")
final class DeployRetryCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeployRef deploy;

  @Option(names = "--wait", description = "Follow the retried run until it ends; exit code as for 'dynamo deploy --wait'.")
  boolean waitForEnd;

  @Override
  public Integer call() {
    return deploy.run("retry", false, (client, found) -> {
      DeployDecisions.Outcome r = DeployDecisions.retry(client, found.workflowId(),
          DeployCommand.startedBy(deploy.temporal.callerEnvironment()), null);
      return DecisionOutput.print(client, r, waitForEnd, spec.commandLine(), deploy.temporal.caller());
    });
  }
}

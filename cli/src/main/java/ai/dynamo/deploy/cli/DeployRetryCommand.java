package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.client.DeployDecisions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code dynamo deploy retry NAME}: a paused deploy re-runs what failed; an ended failed one runs again. */
@Command(name = "retry", mixinStandardHelpOptions = true,
    description = {"Retry a deploy: a paused one (--on-failure pause) re-runs only what failed; one that ended failed",
        "starts again with the same spec, checking (not re-applying) what already runs."})
final class DeployRetryCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeployRef deploy;

  @Override
  public Integer call() {
    String workflowId = deploy.workflowId();
    DeployDecisions.Outcome r =
        deploy.withClient(c -> DeployDecisions.retry(c, workflowId, DeployCommand.startedBy(), null));
    spec.commandLine().getOut().println(r.message() + ". Watch: dynamo deploy status " + workflowId + " --wait");
    return ExitCodes.OK;
  }
}

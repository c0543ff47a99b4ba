package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.client.DeployDecisions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dynamo deploy retry NAME}: a paused deploy re-runs what failed; an ended failed one runs again. */
@Command(name = "retry", mixinStandardHelpOptions = true,
    description = {"Retry a deploy: a paused one (--on-failure pause) re-runs only what failed; one that ended failed",
        "starts again with the same spec, checking (not re-applying) what already runs."})
final class DeployRetryCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "Graph name (with target flags), or workflow ID.")
  String name;

  @Mixin TargetOptions target;
  @Mixin TemporalOptions temporal;

  @Override
  public Integer call() {
    String workflowId = DeployRef.workflowId(name, target);
    DeployDecisions.Outcome r =
        temporal.withClient(c -> DeployDecisions.retry(c, workflowId, DeployCommand.startedBy(), null));
    spec.commandLine().getOut().println(r.message() + ". Watch: dynamo deploy status " + workflowId + " --wait");
    return ExitCodes.OK;
  }
}

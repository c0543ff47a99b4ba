package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.client.DeployDecisions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code dynamo deploy abort NAME}: a paused deploy ends without rollback. */
@Command(name = "abort", mixinStandardHelpOptions = true,
    description = {"End a paused deploy WITHOUT rolling back: what the failed revision applied stays as it is",
        "(half-updated) and the revision is not recorded. Clean up or redeploy by hand afterwards."})
final class DeployAbortCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeployRef deploy;

  @Override
  public Integer call() {
    String workflowId = deploy.workflowId();
    DeployDecisions.Outcome r = deploy.withClient(c -> DeployDecisions.decide(c, workflowId, "abort"));
    spec.commandLine().getOut().println(r.message());
    return ExitCodes.OK;
  }
}

package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.FollowRun;
import ai.dynamo.deploy.client.DeployDecisions;
import ai.dynamo.deploy.client.DeployWatcher;
import io.temporal.client.WorkflowClient;
import picocli.CommandLine;

/** What retry, rollback and uninstall print: what happens now, then (with --wait) the run followed to its end. */
final class DecisionOutput {
  private DecisionOutput() {}

  static int print(WorkflowClient client, DeployDecisions.Outcome r, boolean wait, CommandLine command) {
    if (!wait) {
      command.getOut().println(r.message() + ". Watch: dynamo deploy status " + r.workflowId() + " --wait");
      return ExitCodes.OK;
    }
    command.getOut().println(r.message());
    command.getOut().flush();
    return FollowRun.follow(client, r.workflowId(), r.runId(), command.getOut(), command.getErr(),
        DeployWatcher.POLL_INTERVAL, false);
  }
}

package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.FollowRun;
import ai.dynamo.deploy.cli.action.Invocation;
import ai.dynamo.deploy.client.DeployDecisions;
import ai.dynamo.deploy.client.DeployWatcher;
import io.temporal.client.WorkflowClient;
import picocli.CommandLine;

/**
 * What retry, rollback and uninstall print: what happens now, then (with --wait) the run followed to its end, on the
 * caller's terminal and interrupted by the caller's Ctrl-C (in the daemon: the thin client's, not the daemon's).
 */
final class DecisionOutput {
  private DecisionOutput() {}

  static int print(WorkflowClient client, DeployDecisions.Outcome r, boolean wait, CommandLine command,
      Invocation caller) {
    return print(client, r, wait, command, ExitCodes::of, caller);
  }

  /**
   * {@code rollback --wait}: a paused deploy told to roll back succeeds when the rollback does (as {@code helm
   * rollback}): it ends ROLLED_BACK, or TIMED_OUT when the deploy had timed out, and exits 0; a failed rollback ends
   * FAILED. Restoring a recorded revision is a new run, which succeeds when it is READY.
   */
  static int printRollback(WorkflowClient client, DeployDecisions.Outcome r, boolean wait, CommandLine command,
      Invocation caller) {
    if (r.newRun()) return print(client, r, wait, command, caller);
    return print(client, r, wait, command, ending -> ending.phase() == ai.dynamo.deploy.workflows.Phase.ROLLED_BACK
        || ending.phase() == ai.dynamo.deploy.workflows.Phase.TIMED_OUT ? ExitCodes.OK : ExitCodes.of(ending), caller);
  }

  private static int print(WorkflowClient client, DeployDecisions.Outcome r, boolean wait, CommandLine command,
      java.util.function.ToIntFunction<DeployWatcher.Ending> exitCode, Invocation caller) {
    if (!wait) {
      command.getOut().println(r.message() + ". Watch: dynamo deploy status " + r.workflowId() + " --wait");
      return ExitCodes.OK;
    }
    command.getOut().println(r.message());
    command.getOut().flush();
    return FollowRun.follow(client, r.workflowId(), r.runId(), command.getOut(), command.getErr(),
        DeployWatcher.POLL_INTERVAL, false, exitCode, caller);
  }
}

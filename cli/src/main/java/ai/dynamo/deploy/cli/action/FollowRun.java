package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.client.DeployWatcher;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * {@code --wait}: follows one run of a deploy's workflow ID (a deploy, a retry or rollback it started, an uninstall)
 * with the live view, until it ends; prints how it ended and returns the exit code. Ctrl-C (SIGTERM) detaches: the
 * run goes on, and this says how to re-attach (or, with the embedded service, that it stops too).
 */
public final class FollowRun {
  private FollowRun() {}

  /** Follows for {@code caller}: its terminal, and its Ctrl-C (in the daemon: the thin client's). */
  public static int follow(WorkflowClient client, String workflowId, String runId, PrintWriter out, PrintWriter err,
      Duration poll, boolean embedded, Invocation caller) {
    return follow(client, workflowId, runId, out, err, poll, embedded, ExitCodes::of, caller);
  }

  /** {@link #follow} with the verb's own exit code for how the run ended. */
  public static int follow(WorkflowClient client, String workflowId, String runId, PrintWriter out, PrintWriter err,
      Duration poll, boolean embedded, java.util.function.ToIntFunction<DeployWatcher.Ending> exitCode,
      Invocation caller) {
    Runnable detach = () -> {
      out.println();
      if (embedded) {
        out.println("Interrupted: the embedded Temporal service stops with this process, and the deploy with it."
            + " Use 'dynamo server' (or a Temporal service) for deploys that outlive the CLI.");
      } else {
        out.println("Detached; the deploy keeps running. Re-attach: dynamo deploy status " + workflowId + " --wait");
      }
      out.flush();
    };
    DeployWatcher.Ending ending;
    try (Invocation.Registration onInterrupt = caller.host().onInterrupt(detach)) {
      ending = new DeployWatcher(client, poll)
          .watch(workflowId, runId, ProgressView.forOutput(out, caller.interactive()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError(ExitCodes.DEPLOY_FAILED, "interrupted while watching " + workflowId, e);
    }
    int code = exitCode.applyAsInt(ending);
    (code == ExitCodes.OK ? out : err).println(ending.summary());
    return code;
  }
}

package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.client.DeployRefusedException;
import ai.dynamo.deploy.client.TargetUnreachableException;
import ai.dynamo.deploy.workflows.DeployFailures;
import java.util.Set;

/** The errors a user can act on, each with its message and documented exit code (no stack trace unless --debug). */
final class ErrorOutput {
  private ErrorOutput() {}

  record Known(String message, int exitCode) {}

  /** Target failure types that mean the target could not be reached or would not let us in: exit 4. */
  static final Set<String> UNREACHABLE = Set.of(DeployFailures.AUTHENTICATION_REFUSED,
      DeployFailures.UNKNOWN_HOST_KEY, DeployFailures.TARGET_UNUSABLE, "TargetUnavailable");

  /** The message and exit code of an error the user can act on, or null for anything else. */
  static Known of(Exception ex) {
    if (ex instanceof UserError user) return new Known(user.getMessage(), user.exitCode());
    if (ex instanceof TargetUnreachableException unreachable) {
      return new Known("error: " + unreachable.getMessage(), ExitCodes.UNREACHABLE);
    }
    if (ex instanceof DeployRefusedException refused) {
      // Not now, and nothing changed (no such deploy, a decision that does not apply): a usage error.
      return new Known("error: " + refused.getMessage(), ExitCodes.INVALID);
    }
    if (ex instanceof TargetFailure f) {
      // A target reached from the CLI itself (logs): as a deploy would end on it.
      int code = UNREACHABLE.contains(f.type()) ? ExitCodes.UNREACHABLE
          : DeployFailures.INVALID_IR.equals(f.type()) ? ExitCodes.INVALID : ExitCodes.DEPLOY_FAILED;
      return new Known("error: " + f.getMessage(), code);
    }
    return null;
  }
}

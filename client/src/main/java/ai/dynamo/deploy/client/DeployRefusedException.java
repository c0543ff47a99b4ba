package ai.dynamo.deploy.client;

/**
 * A request about a deploy that does not apply as things are now: the deploy does not exist or has ended, a decision
 * that does not fit its state, a different spec while one runs. Nothing was changed; the message says why, and the
 * CLI prints it as a usage error (exit code 2).
 */
public class DeployRefusedException extends RuntimeException {
  public DeployRefusedException(String message) {
    super(message);
  }

  public DeployRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}

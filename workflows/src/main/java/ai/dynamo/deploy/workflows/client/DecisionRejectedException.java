package ai.dynamo.deploy.workflows.client;

/**
 * A decision (retry, rollback, abort) that does not apply to the deploy as it is now; the message says why, e.g.
 * {@code retry applies only to a paused deploy, and deploy demo is WAITING: ...}. The CLI prints it as a usage
 * error.
 */
public class DecisionRejectedException extends RuntimeException {
  public DecisionRejectedException(String message) {
    super(message);
  }
}

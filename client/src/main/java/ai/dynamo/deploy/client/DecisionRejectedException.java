package ai.dynamo.deploy.client;

/**
 * A decision (retry, rollback, abort) that does not apply to the deploy as it is now; the message says why, e.g.
 * {@code retry applies only to a paused deploy, and deploy demo is WAITING: ...}.
 */
public class DecisionRejectedException extends DeployRefusedException {
  public DecisionRejectedException(String message) {
    super(message);
  }
}

package ai.dynamo.deploy.client;

/**
 * The target (or a worker to reach it) did not answer within the time the client waits, or refused us: the message
 * names the place and the cause. The CLI exits 4 with it, as for an unreachable Temporal service.
 */
public class TargetUnreachableException extends RuntimeException {
  public TargetUnreachableException(String message) {
    super(message);
  }
}

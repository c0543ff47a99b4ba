package ai.dynamo.deploy.cli.action;

/**
 * Thrown, before the command has written anything, when a command running in the daemon would have to embed a
 * Temporal service for itself: that service (and the deploy's worker) would live in the daemon, shared by every
 * later command and ended by its idle exit. The daemon hands the command back, and the client runs it in its own
 * JVM, as it runs any command the daemon does not serve.
 */
public final class RunInCallersProcess extends RuntimeException {
  public RunInCallersProcess(String why) {
    super(why, null, false, false);
  }
}

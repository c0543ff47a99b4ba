package ai.dynamo.deploy.workflows;

/** A component failed (or timed out) during a wave; caught by the deploy script, never leaves the workflow. */
final class StepFailed extends RuntimeException {
  private final boolean timedOut;

  StepFailed(String message, boolean timedOut) {
    super(message, null, false, false);
    this.timedOut = timedOut;
  }

  boolean timedOut() {
    return timedOut;
  }
}

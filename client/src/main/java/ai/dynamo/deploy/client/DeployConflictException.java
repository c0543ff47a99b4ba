package ai.dynamo.deploy.client;

/**
 * A deploy of the same graph at the same place holds it (running, or paused for a decision) with a different spec.
 * The message names that deploy, whether it is paused, and the commands that free the place.
 */
public class DeployConflictException extends DeployRefusedException {
  private final String workflowId;
  private final String runId;
  private final boolean paused;

  public DeployConflictException(String message, String workflowId, String runId, boolean paused) {
    super(message);
    this.workflowId = workflowId;
    this.runId = runId;
    this.paused = paused;
  }

  /** Whether the deploy that holds the place is paused, waiting for a decision (else it is running). */
  public boolean paused() {
    return paused;
  }

  public String workflowId() {
    return workflowId;
  }

  public String runId() {
    return runId;
  }
}

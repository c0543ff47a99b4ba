package ai.dynamo.deploy.client;

/**
 * A deploy of the same graph at the same place is running with a different spec. The message names the running
 * deploy and how to wait for or cancel it.
 */
public class DeployConflictException extends DeployRefusedException {
  private final String workflowId;
  private final String runId;

  public DeployConflictException(String message, String workflowId, String runId) {
    super(message);
    this.workflowId = workflowId;
    this.runId = runId;
  }

  public String workflowId() {
    return workflowId;
  }

  public String runId() {
    return runId;
  }
}

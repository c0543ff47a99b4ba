package ai.dynamo.deploy.workflows;

/** Names shared by the worker, the client and the workflow. */
public final class DeployIds {
  private DeployIds() {}

  /** The task queue every dynamo worker polls. */
  public static final String TASK_QUEUE = "dynamo-deploy";

  /**
   * The workflow ID of a graph's deploy at one place: only one deploy of a graph runs at a time per place.
   * Example: {@code deploy/slurm/alice@login1:22/dynamo-graph} (a Slurm location is the login after the ssh config).
   */
  public static String workflowId(String targetKind, String location, String graphName) {
    return "deploy/" + targetKind + "/" + location + "/" + graphName;
  }

  /** The graph name in a deploy's workflow ID: {@code deploy/slurm/login1/dynamo-graph} is {@code dynamo-graph}. */
  public static String graphOf(String workflowId) {
    return workflowId.substring(workflowId.lastIndexOf('/') + 1);
  }
}

package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.RecordsRequest;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.TargetRecords;
import ai.dynamo.deploy.workflows.TargetRecordsWorkflow;
import ai.dynamo.deploy.workflows.TargetSpec;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * History and rollback to a recorded revision (client side). The records live on the target, which only workers
 * reach, so reading them is a short {@link TargetRecordsWorkflow} run; {@code rollback --to-revision N} then starts
 * an ordinary deploy of revision N's recorded spec (same progress view, readiness rules and failure policy), which
 * records a new revision noted "rolled back to N".
 */
public final class DeployRecords {
  private DeployRecords() {}

  /** Reads the graph's records; {@code specOf}: 0 none, a revision, or {@link RecordsRequest#PREVIOUS}. */
  public static TargetRecords read(WorkflowClient client, String graph, TargetSpec target, int specOf) {
    String id = "records/" + DeployIds.workflowId(target.kind(), target.location(), graph) + "/" + UUID.randomUUID();
    TargetRecordsWorkflow workflow =
        client.newWorkflowStub(
            TargetRecordsWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(DeployIds.TASK_QUEUE)
                .setWorkflowExecutionTimeout(Duration.ofMinutes(20))
                .setStaticSummary("records of " + graph)
                .build());
    try {
      return workflow.read(new RecordsRequest(graph, target, specOf));
    } catch (WorkflowFailedException e) {
      throw new DecisionRejectedException(rootMessage(e));
    }
  }

  /**
   * Starts the deploy that restores revision {@code revision} (0: the previous one) of a graph at one place.
   *
   * @param options how to run it (timeouts, failure policy, who); its {@code restoresRevision} is set here
   * @param registered registered search attribute names, or null to ask the server
   */
  public static DeployStarter.Started rollbackTo(
      WorkflowClient client, String graph, TargetSpec target, int revision, DeployOptions options,
      Set<String> registered) {
    TargetRecords records = read(client, graph, target, revision > 0 ? revision : RecordsRequest.PREVIOUS);
    if (records.spec() == null) {
      throw new DecisionRejectedException(
          revision > 0
              ? graph + " has no recorded revision " + revision + " on " + target.kind() + "@" + target.location()
                  + " (see `dynamo deploy history " + graph + "`)"
              : graph + " has no previous revision to roll back to (live: " + records.liveRevision() + ")");
    }
    TargetSpec restored = new TargetSpec(target.kind(), target.location(), records.spec().settings());
    // The recorded digest, not a new one: the restored revision is the same spec as when it was recorded.
    DeployRequest request =
        new DeployRequest(records.spec().graph(), records.spec().specDigest(), restored,
            options.restoring(records.specRevision()));
    return DeployStarter.startOrAttach(client, request, registered);
  }

  /**
   * The graph's revisions from the target's own records ({@code dynamo deploy history}).
   *
   * @param target how to reach the target; null: the one the deploy's last run used
   */
  public static List<RevisionEntry> history(WorkflowClient client, String workflowId, TargetSpec target) {
    TargetSpec where = target != null ? target : lastTarget(client, workflowId);
    return read(client, DeployIds.graphOf(workflowId), where, 0).history();
  }

  /** The target the deploy's last run used (its start event); refused when Temporal knows no such deploy. */
  static TargetSpec lastTarget(WorkflowClient client, String workflowId) {
    try {
      return StartEvents.request(client, workflowId, null).target();
    } catch (RuntimeException e) {
      throw new DeployRefusedException("no deploy " + workflowId + " is known to Temporal; name the graph with its"
          + " target flags (--target, --ssh-host, ...) to read the target's records", e);
    }
  }

  static String rootMessage(Throwable e) {
    String message = e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure af) message = af.getOriginalMessage();
    }
    return message;
  }
}

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
import io.temporal.client.WorkflowStub;
import ai.dynamo.deploy.workflows.TargetLabels;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * History and rollback to a recorded revision (client side). The records live on the target. {@code history} reads
 * them straight from it through a {@link RecordsRead} (the CLI's, with the user's own credentials, like
 * {@code deploy logs}), so it works while Temporal is down. {@code rollback --to-revision N} starts a workflow anyway
 * and the worker's credentials deploy the spec, so it reads the spec through the worker, a short
 * {@link TargetRecordsWorkflow} run: the revision restored is the one the worker's own view of the place records, and
 * a user who may start deploys but holds no target credentials can still roll back. It then starts an ordinary
 * deploy of revision N's recorded spec (same progress view, readiness rules and failure policy), which records a new
 * revision noted "rolled back to N".
 */
public final class DeployRecords {
  private DeployRecords() {}

  /** How long the client waits for a worker to read a target's records, unless told otherwise. */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

  /** Reads the graph's records; {@code specOf}: 0 none, a revision, or {@link RecordsRequest#PREVIOUS}. */
  public static TargetRecords read(WorkflowClient client, String graph, TargetSpec target, int specOf) {
    return read(client, graph, target, specOf, DEFAULT_WAIT);
  }

  /**
   * As {@link #read(WorkflowClient, String, TargetSpec, int)}, waiting at most {@code wait} for the answer: a
   * target that cannot be reached (or no worker) ends the call with {@link TargetUnreachableException} naming the
   * cause, never a silent wait; the run is then terminated.
   */
  public static TargetRecords read(WorkflowClient client, String graph, TargetSpec target, int specOf, Duration wait) {
    String id = "records/" + DeployIds.workflowId(target.kind(), target.location(), graph) + "/" + UUID.randomUUID();
    TargetRecordsWorkflow workflow =
        client.newWorkflowStub(
            TargetRecordsWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(DeployIds.TASK_QUEUE)
                // the server ends it even when this client is gone
                .setWorkflowExecutionTimeout(wait.plus(Duration.ofMinutes(1)))
                .setStaticSummary("records of " + graph)
                .build());
    WorkflowClient.start(workflow::read, new RecordsRequest(graph, target, specOf));
    try {
      return BoundedRead.await(client, WorkflowStub.fromTyped(workflow), wait, TargetRecords.class,
          "cannot read the records of " + graph + " on " + TargetLabels.of(target));
    } catch (WorkflowFailedException e) {
      throw new DecisionRejectedException(BoundedRead.rootMessage(e));
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
    return rollbackTo(client, graph, target, revision, options, registered, DEFAULT_WAIT);
  }

  /** As above, waiting at most {@code wait} for the records. */
  public static DeployStarter.Started rollbackTo(
      WorkflowClient client, String graph, TargetSpec target, int revision, DeployOptions options,
      Set<String> registered, Duration wait) {
    TargetRecords records = read(client, graph, target, revision > 0 ? revision : RecordsRequest.PREVIOUS, wait);
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
   * The graph's revisions from the target's own records ({@code dynamo deploy history}), read by {@code reader}
   * straight from the target (the CLI's, with the user's own credentials), not through a worker: with the place
   * known, no Temporal is needed, as {@code helm history} needs only the cluster.
   *
   * @param bound how long the whole read may take (each call to the target has its own, shorter bound as well)
   * @throws TargetUnreachableException when the target does not answer within {@code bound}; the reader's own
   *     failure (naming the endpoint and the cause) as it is
   */
  public static List<RevisionEntry> history(RecordsRead reader, String graph, TargetSpec target, Duration bound) {
    String where = "the records of " + graph + " on " + TargetLabels.of(target);
    try {
      return TargetCall.within(bound, "dynamo-history", () -> reader.history(graph, target));
    } catch (TimeoutException e) {
      throw new TargetUnreachableException("cannot read " + where + ": no answer within "
          + TargetCall.seconds(bound) + " s (--request-timeout)");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) throw failure;
      throw new TargetUnreachableException("cannot read " + where + ": " + Causes.firstMessage(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TargetUnreachableException("interrupted while reading " + where);
    }
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
}

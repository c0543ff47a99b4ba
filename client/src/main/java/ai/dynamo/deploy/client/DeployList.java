package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.api.enums.v1.HistoryEventFilterType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowStub;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Lists deploys ({@code dynamo deploy list}): the runs of deploys' workflow IDs (deploys and uninstalls), newest
 * first, each with its graph, target, location (from its memo), phase and revision (the {@code DynamoPhase} and
 * {@code DynamoRevision} search attributes where the run carries them, else its progress or how it ended).
 */
public final class DeployList {
  private final WorkflowClient client;

  public DeployList(WorkflowClient client) {
    this.client = client;
  }

  /**
   * One row of {@code dynamo deploy list}; also its stable {@code -o json} element (fields are only added).
   *
   * @param workflowId the deploy's workflow ID
   * @param runId the run
   * @param status Temporal's execution status (RUNNING, COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT)
   * @param startedAt ISO-8601 UTC
   * @param closedAt ISO-8601 UTC, null while it runs
   * @param graph the graph name
   * @param target the target kind
   * @param location the place within the kind
   * @param phase the deploy's phase (READY, ROLLED_BACK, UNINSTALLED, ...), null when unknown
   * @param revision the revision the run deployed (0: none, e.g. an uninstall), null when unknown
   * @param type {@code deploy} or {@code uninstall}
   */
  public record Row(String workflowId, String runId, String status, String startedAt, String closedAt, String graph,
      String target, String location, String phase, Integer revision, String type) {}

  /** Up to {@code limit} deploys, newest first. */
  public List<Row> list(int limit) {
    return list(limit, null);
  }

  /**
   * Up to {@code limit} deploys in {@code phase} (null: any), newest first. The phase is a {@code DynamoPhase}
   * visibility query where the server can answer one, else filtered here.
   */
  public List<Row> list(int limit, Phase phase) {
    String condition = phase == null ? "" : DeploySearchAttributes.PHASE.getName() + " = '" + phase + "'";
    DeployExecutions.Listing listing = new DeployExecutions(client).list(phase == null ? limit : Math.max(limit, 200),
        condition, run -> true);
    return listing.runs().stream()
        .map(this::row)
        .filter(r -> phase == null || listing.queried() || phase.name().equals(r.phase()))
        .limit(limit)
        .toList();
  }

  Row row(WorkflowExecutionMetadata run) {
    String workflowId = run.getExecution().getWorkflowId();
    DeployMemo memo = DeployMemo.of(run);
    Snapshot s = snapshot(run);
    return new Row(workflowId, run.getExecution().getRunId(),
        run.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", ""),
        instant(run.getStartTime()), instant(closeTime(run)), DeployIds.graphOf(workflowId), memo.kind(),
        memo.location(), s.phase() == null ? null : s.phase().name(), s.revision(), run.getWorkflowType());
  }

  /**
   * When a closed run ended. Temporal's Java test server leaves the close time out of its listings; its history's
   * close event has it (one event, asked for alone).
   */
  private Instant closeTime(WorkflowExecutionMetadata run) {
    if (run.getCloseTime() != null || run.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      return run.getCloseTime();
    }
    try {
      GetWorkflowExecutionHistoryResponse close = client.getWorkflowServiceStubs().blockingStub()
          .getWorkflowExecutionHistory(GetWorkflowExecutionHistoryRequest.newBuilder()
              .setNamespace(client.getOptions().getNamespace()).setExecution(run.getExecution())
              .setHistoryEventFilterType(HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT).build());
      int n = close.getHistory().getEventsCount();
      if (n == 0) return null;
      com.google.protobuf.Timestamp t = close.getHistory().getEvents(n - 1).getEventTime();
      return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Phase and revision of a run. */
  record Snapshot(Phase phase, Integer revision) {}

  /** From the run's search attributes where it carries them, else its progress (running) or how it ended. */
  Snapshot snapshot(WorkflowExecutionMetadata run) {
    String phase = run.getTypedSearchAttributes().get(DeploySearchAttributes.PHASE);
    Long revision = run.getTypedSearchAttributes().get(DeploySearchAttributes.REVISION);
    boolean running = run.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    if (phase != null && revision != null && (running || Phase.valueOf(phase).isTerminal())) {
      return new Snapshot(Phase.valueOf(phase), revision.intValue());
    }
    WorkflowStub stub = client.newUntypedWorkflowStub(run.getExecution().getWorkflowId(),
        Optional.of(run.getExecution().getRunId()), Optional.empty());
    try {
      DeployProgress p = running ? stub.query("progress", DeployProgress.class) : ended(stub);
      return p == null ? new Snapshot(null, null) : new Snapshot(p.phase(), p.revision());
    } catch (RuntimeException e) {
      return new Snapshot(null, null); // no worker answers the query now: shown as unknown
    }
  }

  private static DeployProgress ended(WorkflowStub stub) {
    DeployResult result = DeployOutcomes.await(stub);
    DeployProgress p = result.progress();
    if (p == null) return new DeployProgress("", "", result.phase(), result.revision(), result.message(), List.of(), 0, 0);
    return p.phase() == result.phase() ? p : new DeployProgress(p.graph(), p.target(), result.phase(), p.revision(),
        p.message(), p.components(), p.startedEpochMillis(), p.updatedEpochMillis());
  }

  private static String instant(Instant i) {
    return i == null ? null : i.toString();
  }
}

package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployProgress;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import java.time.Instant;
import java.util.List;

/**
 * Looks up one deploy ({@code dynamo deploy status}): its workflow state and, when a worker answers or the run has
 * ended, its progress, as the stable {@link View} document.
 */
public final class DeployStatus {
  private final WorkflowClient client;

  public DeployStatus(WorkflowClient client) {
    this.client = client;
  }

  /**
   * The stable {@code -o json} / {@code -o yaml} document of {@code dynamo deploy status} (docs/cli.md). Fields are
   * only ever added, never renamed or removed. Times are ISO-8601 UTC; fields not known yet are null.
   *
   * @param workflowId the deploy's workflow ID
   * @param runId the run shown (the latest)
   * @param status the Temporal execution status: RUNNING, COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT
   * @param graph graph name
   * @param target {@code kind@location}
   * @param phase the deploy phase (VALIDATING ... READY, ROLLED_BACK, FAILED, TIMED_OUT, CANCELLED)
   * @param revision the revision this deploy creates
   * @param message the last overall message
   * @param startedAt when the run started
   * @param updatedAt when its progress last changed
   * @param closedAt when the run ended, or null while it runs
   * @param components per component, in graph order
   * @param live what runs on the target now ({@link LiveStatus}); null when not checked ({@code --recorded}, a
   *     running deploy, an uninstall)
   */
  public record View(
      String workflowId,
      String runId,
      String status,
      String graph,
      String target,
      String phase,
      Integer revision,
      String message,
      String startedAt,
      String updatedAt,
      String closedAt,
      List<ComponentView> components,
      LiveStatus.View live) {

    /** This view with the live check's answer. */
    public View withLive(LiveStatus.View checked) {
      return new View(workflowId, runId, status, graph, target, phase, revision, message, startedAt, updatedAt,
          closedAt, components, checked);
    }
  }

  /** One component in {@link View}. */
  /** @param change what the deploy does to it (unchanged, updated (strategy): why, added, removed); empty before planning */
  public record ComponentView(String name, String phase, int ready, int desired, String message, String since,
      String change) {}

  /** The deploy with this workflow ID (latest run). */
  public View status(String workflowId) {
    WorkflowStub stub = client.newUntypedWorkflowStub(workflowId);
    WorkflowExecutionDescription d = describe(stub, workflowId);
    WorkflowExecutionStatus status = d.getStatus();
    DeployProgress progress;
    String message = null;
    if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      progress = DeployWatcher.live(client, workflowId, d.getExecution().getRunId()).orElse(null);
      if (progress == null) message = "no dynamo worker answered (is one running on this Temporal service?)";
    } else {
      DeployWatcher.Ending ending = DeployWatcher.ending(client, stub, d.getExecution());
      progress = ending.progress();
      message = ending.summary();
    }
    return view(d, progress, message);
  }

  /** The description of the latest run; refused, naming the deploy, when there is none. */
  public static WorkflowExecutionDescription describe(WorkflowStub stub, String workflowId) {
    try {
      return stub.describe();
    } catch (WorkflowNotFoundException e) {
      throw new DeployRefusedException(
          "no deploy " + workflowId + " on this Temporal service (see 'dynamo deploy list')", e);
    }
  }

  static View view(WorkflowExecutionDescription d, DeployProgress p, String fallbackMessage) {
    String status = d.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", "");
    List<ComponentView> components =
        p == null ? List.of() : p.components().stream().map(DeployStatus::component).toList();
    return new View(
        d.getExecution().getWorkflowId(),
        d.getExecution().getRunId(),
        status,
        p == null ? null : p.graph(),
        p == null ? null : p.target(),
        p == null ? null : p.phase().name(),
        p == null ? null : p.revision(),
        p != null && p.message() != null && !p.message().isBlank() ? p.message() : fallbackMessage,
        instant(d.getStartTime()),
        p == null ? null : instant(p.updatedEpochMillis()),
        instant(d.getCloseTime()),
        components,
        null);
  }

  private static ComponentView component(ComponentProgress c) {
    return new ComponentView(c.name(), c.phase().name(), c.ready(), c.desired(), c.message(),
        instant(c.sinceEpochMillis()), c.change());
  }

  private static String instant(Instant i) {
    return i == null ? null : i.toString();
  }

  private static String instant(long epochMillis) {
    return epochMillis <= 0 ? null : Instant.ofEpochMilli(epochMillis).toString();
  }
}

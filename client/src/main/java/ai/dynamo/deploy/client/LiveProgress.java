package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.ComponentPhase;
import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.ReadinessHeartbeat;
import ai.dynamo.deploy.workflows.Stage;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DataConverter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Progress with live counts. The workflow's {@code progress} query knows counts at step boundaries; while a
 * component waits, its readiness activity heartbeats {@link ReadinessHeartbeat} details, which the server keeps on
 * the pending activity (no history events). This overlays those on the query's answer.
 */
public final class LiveProgress {
  private LiveProgress() {}

  /** The activity type of readiness waits (see {@code DeployActivities#awaitReady}). */
  static final String AWAIT_READY = "AwaitReady";

  /** Queries progress and overlays the heartbeats of the pending readiness waits. */
  public static DeployProgress fetch(WorkflowClient client, String workflowId, String runId) {
    DeployProgress progress =
        client
            .newUntypedWorkflowStub(workflowId, Optional.ofNullable(runId), Optional.empty())
            .query("progress", DeployProgress.class);
    if (progress == null || progress.phase().isTerminal()) return progress;
    DescribeWorkflowExecutionResponse described =
        client
            .getWorkflowServiceStubs()
            .blockingStub()
            .describeWorkflowExecution(
                DescribeWorkflowExecutionRequest.newBuilder()
                    .setNamespace(client.getOptions().getNamespace())
                    .setExecution(
                        WorkflowExecution.newBuilder()
                            .setWorkflowId(workflowId)
                            .setRunId(runId == null ? "" : runId))
                    .build());
    return overlay(progress, described.getPendingActivitiesList(), client.getOptions().getDataConverter());
  }

  /** Replaces counts and message of waiting components with their latest heartbeat. */
  public static DeployProgress overlay(
      DeployProgress progress, List<PendingActivityInfo> pending, DataConverter converter) {
    Map<String, ReadinessHeartbeat> beats = new HashMap<>();
    for (PendingActivityInfo activity : pending) {
      if (!AWAIT_READY.equals(activity.getActivityType().getName()) || !activity.hasHeartbeatDetails()) continue;
      ReadinessHeartbeat beat =
          converter.fromPayloads(
              0, Optional.of(activity.getHeartbeatDetails()), ReadinessHeartbeat.class, ReadinessHeartbeat.class);
      if (beat != null) beats.put(beat.component(), beat);
    }
    if (beats.isEmpty()) return progress;
    List<ComponentProgress> components = new ArrayList<>();
    for (ComponentProgress c : progress.components()) {
      ReadinessHeartbeat beat = beats.get(c.name());
      if (beat == null || !isWaiting(c.phase())) {
        components.add(c);
        continue;
      }
      // A group's workers stage counts only workers; its leaders are ready by then.
      int ready = beat.stage() == Stage.WORKERS ? c.desired() - beat.desired() + beat.ready() : beat.ready();
      String message = beat.message().isEmpty() ? c.message() : beat.message();
      components.add(new ComponentProgress(c.name(), c.phase(), ready, c.desired(), message, c.sinceEpochMillis(),
          c.change()));
    }
    return new DeployProgress(
        progress.graph(),
        progress.target(),
        progress.phase(),
        progress.revision(),
        progress.message(),
        components,
        progress.startedEpochMillis(),
        progress.updatedEpochMillis());
  }

  private static boolean isWaiting(ComponentPhase phase) {
    return phase == ComponentPhase.WAITING
        || phase == ComponentPhase.WAITING_LEADER
        || phase == ComponentPhase.WAITING_WORKERS;
  }
}

package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.client.DeployOutcomes;
import ai.dynamo.deploy.workflows.client.LiveProgress;
import ai.dynamo.deploy.workflows.DeployFailures;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowTargetOptions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Follows a deploy to its end by polling the {@code progress} query, and turns how it ended into an exit code.
 * Polling (not a long-poll on the result alone) keeps the view live; the client holds no state the deploy
 * needs, so stopping the watch (Ctrl-C) leaves the deploy running.
 */
public final class WatchDeploy {
  /** How often progress is polled. */
  public static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  private final WorkflowClient client;
  private final Duration pollInterval;

  public WatchDeploy(WorkflowClient client, Duration pollInterval) {
    this.client = client;
    this.pollInterval = pollInterval;
  }

  /**
   * @param exitCode the documented exit code for this ending
   * @param summary one line: how it ended and why
   * @param progress the final progress, or null when the workflow ended without one (e.g. terminated)
   */
  public record Outcome(int exitCode, String summary, DeployProgress progress) {}

  /** Polls until the run ends, or pauses for a decision (exit code 1, the deploy stays paused); returns how. */
  public Outcome watch(String workflowId, String runId, ProgressView view) throws InterruptedException {
    String run = runId;
    while (true) {
      WorkflowStub stub = client.newUntypedWorkflowStub(
          WorkflowTargetOptions.newBuilder().setWorkflowId(workflowId).setRunId(run).build());
      WorkflowExecutionDescription d = stub.describe();
      WorkflowExecutionStatus status = d.getStatus();
      if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW) {
        run = null; // follow the chain to the latest run
        continue;
      }
      if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        Outcome outcome = outcome(client, stub, d.getExecution());
        if (outcome.progress() != null) view.show(outcome.progress());
        return outcome;
      }
      Optional<DeployProgress> progress = live(client, workflowId, d.getExecution().getRunId());
      if (progress.isPresent()) {
        view.show(progress.get());
        if (progress.get().phase() == Phase.PAUSED) {
          // Waiting for a person (--on-failure pause): a watcher (CI) stops here, the deploy stays paused.
          return new Outcome(ExitCodes.DEPLOY_FAILED, "PAUSED: " + progress.get().message(), progress.get());
        }
      } else {
        view.note("waiting for a dynamo worker on task queue " + DeployIds.TASK_QUEUE
            + " (start one with 'dynamo worker', or run 'dynamo server')");
      }
      Thread.sleep(pollInterval.toMillis());
    }
  }

  /**
   * Progress with live counts (the engine's {@link LiveProgress}: the query's answer overlaid with the readiness
   * waits' heartbeats), or empty when no worker answers the query now.
   */
  public static Optional<DeployProgress> live(WorkflowClient client, String workflowId, String runId) {
    try {
      return Optional.ofNullable(LiveProgress.fetch(client, workflowId, runId));
    } catch (WorkflowException | StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  /** How a closed run ended (the engine's {@link DeployOutcomes}: result, failure details or last progress). */
  public static Outcome outcome(WorkflowClient client, WorkflowStub stub, WorkflowExecution execution) {
    DeployResult result = DeployOutcomes.await(stub);
    int code = exitCode(result.phase());
    if (result.phase() == Phase.FAILED && targetUnreachable(client, execution)) code = ExitCodes.UNREACHABLE;
    return new Outcome(code, result.phase() + ": " + result.message(), result.progress());
  }

  /** Failure types of the preflight that mean the target could not be reached or would not let us in. */
  static final Set<String> UNREACHABLE_TYPES =
      Set.of(DeployFailures.AUTHENTICATION_REFUSED, DeployFailures.UNKNOWN_HOST_KEY, DeployFailures.TARGET_UNUSABLE);

  /**
   * Whether the deploy failed because its preflight could not reach the target: refused credentials, an unknown
   * host key, or a transient error (network) that outlasted the retries. Read from the run's history, where the
   * preflight's failure keeps its type; the deploy's own failure only carries the message.
   */
  static boolean targetUnreachable(WorkflowClient client, WorkflowExecution execution) {
    Set<Long> preflights = new HashSet<>();
    for (HistoryEvent event : client.fetchHistory(execution.getWorkflowId(), execution.getRunId()).getEvents()) {
      if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
          && event.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals(PREFLIGHT)) {
        preflights.add(event.getEventId());
      }
      if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED
          && preflights.contains(event.getActivityTaskFailedEventAttributes().getScheduledEventId())) {
        Failure failure = event.getActivityTaskFailedEventAttributes().getFailure();
        String type = failure.hasApplicationFailureInfo() ? failure.getApplicationFailureInfo().getType() : "";
        if (UNREACHABLE_TYPES.contains(type) || !DeployFailures.NON_RETRYABLE.contains(type)) return true;
      }
      if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT
          && preflights.contains(event.getActivityTaskTimedOutEventAttributes().getScheduledEventId())) {
        return true;
      }
    }
    return false;
  }

  private static final String PREFLIGHT = "Preflight";

  /** 0 READY, 3 TIMED_OUT, 1 every other ending (failed, rolled back, cancelled). */
  public static int exitCode(Phase phase) {
    return switch (phase) {
      case READY -> ExitCodes.OK;
      case TIMED_OUT -> ExitCodes.TIMED_OUT;
      default -> ExitCodes.DEPLOY_FAILED;
    };
  }
}

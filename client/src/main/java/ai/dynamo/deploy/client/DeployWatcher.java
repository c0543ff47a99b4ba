package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.history.v1.HistoryEvent;
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
 * Follows a deploy to its end by polling the {@code progress} query (with live counts), and says how it ended.
 * Polling (not a long-poll on the result alone) keeps the view live; the client holds no state the deploy needs, so
 * stopping the watch (Ctrl-C) leaves the deploy running.
 */
public final class DeployWatcher {
  /** How often progress is polled. */
  public static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  /** What sees the progress while waiting (the CLI's table or lines). */
  public interface Listener {
    /** Called with every polled progress; implementations show only what changed. */
    void show(DeployProgress progress);

    /** A one-off note (waiting for a worker, reconnecting). Shown once per distinct text. */
    void note(String text);
  }

  /**
   * How a watched deploy ended, or that it paused for a decision (then it is still running).
   *
   * @param phase the final phase, or {@link Phase#PAUSED}
   * @param summary one line: how it ended and why
   * @param progress the final progress, or null when the workflow ended without one (e.g. terminated)
   * @param targetUnreachable it failed because its preflight could not reach the target or was refused by it
   */
  public record Ending(Phase phase, String summary, DeployProgress progress, boolean targetUnreachable) {}

  private final WorkflowClient client;
  private final Duration pollInterval;

  public DeployWatcher(WorkflowClient client, Duration pollInterval) {
    this.client = client;
    this.pollInterval = pollInterval;
  }

  /** Polls until the run ends, or pauses for a decision (the deploy stays paused); returns how. */
  public Ending watch(String workflowId, String runId, Listener listener) throws InterruptedException {
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
        Ending ending = ending(client, stub, d.getExecution());
        if (ending.progress() != null) listener.show(ending.progress());
        return ending;
      }
      Optional<DeployProgress> progress = live(client, workflowId, d.getExecution().getRunId());
      if (progress.isPresent()) {
        listener.show(progress.get());
        if (progress.get().phase() == Phase.PAUSED) {
          // Waiting for a person (--on-failure pause): a watcher (CI) stops here, the deploy stays paused.
          return new Ending(Phase.PAUSED, "PAUSED: " + progress.get().message(), progress.get(), false);
        }
      } else {
        listener.note("waiting for a dynamo worker on task queue " + DeployIds.TASK_QUEUE
            + " (start one with 'dynamo worker', or run 'dynamo server')");
      }
      Thread.sleep(pollInterval.toMillis());
    }
  }

  /**
   * Progress with live counts ({@link LiveProgress}: the query's answer overlaid with the readiness waits'
   * heartbeats), or empty when no worker answers the query now.
   */
  public static Optional<DeployProgress> live(WorkflowClient client, String workflowId, String runId) {
    try {
      return Optional.ofNullable(LiveProgress.fetch(client, workflowId, runId));
    } catch (WorkflowException | StatusRuntimeException e) {
      // No answer is "no worker" only while the service itself answers: a lost service is the caller's error.
      if (unavailable(e) != null) throw e;
      return Optional.empty();
    }
  }

  /**
   * The failure that says Temporal itself could not be reached: UNAVAILABLE anywhere in the cause chain (the SDK
   * wraps it, as describe() does when Temporal stops), or null.
   */
  public static StatusRuntimeException unavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StatusRuntimeException s && s.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE) {
        return s;
      }
    }
    return null;
  }

  /** How a closed run ended ({@link DeployOutcomes}: result, failure details or last progress). */
  public static Ending ending(WorkflowClient client, WorkflowStub stub, WorkflowExecution execution) {
    DeployResult result = DeployOutcomes.await(stub);
    boolean unreachable = result.phase() == Phase.FAILED && targetUnreachable(client, execution);
    return new Ending(result.phase(), result.phase() + ": " + result.message(), result.progress(), unreachable);
  }

  /** Failure types of the preflight that mean the target could not be reached or would not let us in. */
  static final Set<String> UNREACHABLE_TYPES =
      Set.of(DeployFailures.AUTHENTICATION_REFUSED, DeployFailures.UNKNOWN_HOST_KEY, DeployFailures.TARGET_UNUSABLE);

  /** The activities that make first contact with the target: a deploy's preflight, an uninstall. */
  private static final Set<String> FIRST_CONTACT = Set.of("Preflight", "Uninstall");

  /**
   * Whether the deploy failed because its preflight could not reach the target: refused credentials, an unknown
   * host key, a target unusable as configured (an unreachable jump host, no Slurm commands, an unwritable remote
   * directory), or a transient error (network) that outlasted the retries. Read from the run's history, where the
   * preflight's failure keeps its type; the deploy's own failure only carries the message.
   */
  static boolean targetUnreachable(WorkflowClient client, WorkflowExecution execution) {
    Set<Long> preflights = new HashSet<>();
    for (HistoryEvent event : client.fetchHistory(execution.getWorkflowId(), execution.getRunId()).getEvents()) {
      if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
          && FIRST_CONTACT.contains(event.getActivityTaskScheduledEventAttributes().getActivityType().getName())) {
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
}

package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import java.time.Duration;
import java.util.Optional;

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

  /** Polls until the run ends; returns how it ended. */
  public Outcome watch(String workflowId, String runId, ProgressView view) throws InterruptedException {
    String run = runId;
    while (true) {
      WorkflowStub stub = client.newUntypedWorkflowStub(workflowId, Optional.ofNullable(run), Optional.empty());
      WorkflowExecutionDescription d = stub.describe();
      WorkflowExecutionStatus status = d.getStatus();
      if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW) {
        run = null; // follow the chain to the latest run
        continue;
      }
      if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        Outcome outcome = outcome(stub, status);
        if (outcome.progress() != null) view.show(outcome.progress());
        return outcome;
      }
      Optional<DeployProgress> progress = query(stub);
      if (progress.isPresent()) {
        view.show(progress.get());
      } else {
        view.note("waiting for a dynamo worker on task queue " + DeployIds.TASK_QUEUE
            + " (start one with 'dynamo worker', or run 'dynamo server')");
      }
      Thread.sleep(pollInterval.toMillis());
    }
  }

  /** The progress query's answer, or empty when no worker answers it now. */
  public static Optional<DeployProgress> query(WorkflowStub stub) {
    try {
      return Optional.ofNullable(stub.query("progress", DeployProgress.class));
    } catch (WorkflowException e) {
      return Optional.empty();
    }
  }

  /** How a closed run ended. */
  public static Outcome outcome(WorkflowStub stub, WorkflowExecutionStatus status) {
    switch (status) {
      case WORKFLOW_EXECUTION_STATUS_COMPLETED -> {
        DeployResult result = stub.getResult(DeployResult.class);
        return new Outcome(exitCode(result.phase()), result.phase() + ": " + result.message(), result.progress());
      }
      case WORKFLOW_EXECUTION_STATUS_FAILED, WORKFLOW_EXECUTION_STATUS_CANCELED -> {
        // The last progress (the rollback's) is still queryable while a worker can replay the run.
        DeployProgress last = query(stub).orElse(null);
        try {
          stub.getResult(DeployResult.class);
        } catch (WorkflowException e) {
          // A failed deploy fails its workflow with the DeployResult as the failure's details.
          Optional<DeployResult> result = deployResult(e);
          if (result.isPresent()) {
            DeployResult r = result.get();
            return new Outcome(exitCode(r.phase()), r.phase() + ": " + r.message(), r.progress());
          }
          if (last != null && last.phase().isTerminal()) {
            return new Outcome(exitCode(last.phase()), last.phase() + ": " + last.message(), last);
          }
          return new Outcome(ExitCodes.DEPLOY_FAILED, failureMessage(e), last);
        }
        return new Outcome(ExitCodes.DEPLOY_FAILED, "FAILED", last);
      }
      case WORKFLOW_EXECUTION_STATUS_TIMED_OUT -> {
        return new Outcome(ExitCodes.TIMED_OUT, "TIMED_OUT: the deploy workflow ran past its execution timeout", null);
      }
      case WORKFLOW_EXECUTION_STATUS_TERMINATED -> {
        return new Outcome(ExitCodes.DEPLOY_FAILED, "TERMINATED: the deploy workflow was terminated (no rollback ran)", null);
      }
      default -> {
        return new Outcome(ExitCodes.DEPLOY_FAILED, status.name(), null);
      }
    }
  }

  /** 0 READY, 3 TIMED_OUT, 1 every other ending (failed, rolled back, cancelled). */
  public static int exitCode(Phase phase) {
    return switch (phase) {
      case READY -> ExitCodes.OK;
      case TIMED_OUT -> ExitCodes.TIMED_OUT;
      default -> ExitCodes.DEPLOY_FAILED;
    };
  }

  private static Optional<DeployResult> deployResult(WorkflowException e) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure app && DeployFailures.DEPLOY_FAILED.equals(app.getType())
          && app.getDetails().getSize() > 0) {
        return Optional.ofNullable(app.getDetails().get(DeployResult.class));
      }
    }
    return Optional.empty();
  }

  private static String failureMessage(WorkflowException e) {
    Throwable cause = e.getCause();
    if (cause instanceof CanceledFailure) return "CANCELLED: the deploy was cancelled";
    // The innermost Temporal failure carries the message the workflow or activity wrote.
    Throwable deepest = cause;
    while (deepest != null && deepest.getCause() instanceof TemporalFailure) deepest = deepest.getCause();
    if (deepest instanceof ApplicationFailure app) return "FAILED: " + app.getOriginalMessage();
    if (deepest instanceof TemporalFailure t) return "FAILED: " + t.getOriginalMessage();
    return "FAILED: " + (cause == null ? e.getMessage() : cause.getMessage());
  }
}

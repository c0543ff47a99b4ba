package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TerminatedFailure;
import io.temporal.failure.TimeoutFailure;

/**
 * Turns however a deploy workflow ended into a {@link DeployResult}: READY returns it; a failed deploy carries it
 * as the details of its {@code DeployFailed} failure; a cancelled or terminated one is rebuilt from the progress
 * query.
 */
public final class DeployOutcomes {
  private DeployOutcomes() {}

  /** Blocks until the run ends. */
  public static DeployResult await(WorkflowStub stub) {
    try {
      return stub.getResult(DeployResult.class);
    } catch (WorkflowFailedException e) {
      return fromFailure(stub, e);
    }
  }

  static DeployResult fromFailure(WorkflowStub stub, WorkflowFailedException e) {
    Throwable cause = e.getCause();
    if (cause instanceof ApplicationFailure af && DeployFailures.DEPLOY_FAILED.equals(af.getType())) {
      return af.getDetails().get(DeployResult.class);
    }
    DeployProgress progress = lastProgress(stub);
    int revision = progress == null ? 0 : progress.revision();
    if (cause instanceof CanceledFailure) {
      String message = progress != null ? progress.message() : "cancelled";
      return new DeployResult(Phase.CANCELLED, revision, message, progress);
    }
    if (cause instanceof TimeoutFailure) {
      return new DeployResult(Phase.TIMED_OUT, revision, "the deploy workflow timed out", progress);
    }
    if (cause instanceof TerminatedFailure) {
      return new DeployResult(
          Phase.FAILED, revision, "the deploy workflow was terminated (no rollback ran)", progress);
    }
    return new DeployResult(Phase.FAILED, revision, String.valueOf(cause == null ? e.getMessage() : cause.getMessage()), progress);
  }

  private static DeployProgress lastProgress(WorkflowStub stub) {
    try {
      return stub.query("progress", DeployProgress.class);
    } catch (RuntimeException e) {
      return null; // no worker to answer the query of a closed run: the result still says how it ended
    }
  }
}

package ai.dynamo.deploy.client;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The answer of a short read-only workflow a verb waits for (the target's records, a diff), within the verb's bound:
 * no answer in time, or a target that cannot be reached, ends the call with {@link TargetUnreachableException} naming
 * the cause (a run without an answer is terminated), never a silent wait.
 */
final class BoundedRead {
  private BoundedRead() {}

  /**
   * @param what what was asked, for the message ({@code cannot read the records of g on slurm@...})
   * @throws WorkflowFailedException when the run failed for another reason (the caller says what it means)
   */
  static <T> T await(WorkflowClient client, WorkflowStub stub, Duration wait, Class<T> type, String what) {
    try {
      return stub.getResult(wait.toMillis(), TimeUnit.MILLISECONDS, type);
    } catch (TimeoutException e) {
      String why = PendingWork.why(client, stub.getExecution(), wait);
      stub.terminate("no answer within " + wait);
      throw new TargetUnreachableException(what + ": " + why);
    } catch (WorkflowFailedException e) {
      if (DeployWatcher.UNREACHABLE_TYPES.contains(rootType(e))) {
        throw new TargetUnreachableException(what + ": " + rootMessage(e));
      }
      throw e;
    }
  }

  /** The type of the innermost application failure, or empty. */
  static String rootType(Throwable e) {
    String type = "";
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure af) type = af.getType();
    }
    return type;
  }

  static String rootMessage(Throwable e) {
    String message = e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure af) message = af.getOriginalMessage();
    }
    return message;
  }
}

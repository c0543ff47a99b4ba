package ai.dynamo.deploy.client;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One read of a target made from the client (status's live check, history), bounded as a whole: each call it makes
 * has its own bound too, but a target that ignores them (or the interrupt) must not keep the command waiting.
 */
final class TargetCall {
  private TargetCall() {}

  /**
   * Runs {@code read} on a daemon thread (one that ignores the interrupt must not keep the command alive) and waits
   * at most {@code bound}; on timeout or interrupt the read is cancelled.
   *
   * @throws ExecutionException with the read's own failure as its cause
   */
  static <T> T within(Duration bound, String threadName, Callable<T> read)
      throws TimeoutException, ExecutionException, InterruptedException {
    FutureTask<T> task = new FutureTask<>(read);
    Thread thread = new Thread(task, threadName);
    thread.setDaemon(true);
    thread.start();
    try {
      return task.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | InterruptedException e) {
      task.cancel(true);
      throw e;
    }
  }

  /** {@code 30} for 30 s, {@code 0.5} for 500 ms. */
  static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds())
        : java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
  }
}

package ai.dynamo.deploy.testing.k8s;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The reconcile loop of a simulated controller: one tick every 50 ms on a thread of its own until {@link #close}.
 * A tick that fails is retried by the next one, as a real controller retries: injected API faults hit the
 * simulators too, and objects vanish between a list and a write. (An exception escaping a scheduled task would stop
 * the loop for good.)
 */
final class SimulationLoop implements AutoCloseable {
  private final Runnable tick;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
  /** The last error a tick hit, for diagnosing a test that waits in vain. */
  volatile RuntimeException lastError;

  SimulationLoop(Runnable tick) {
    this.tick = tick;
  }

  void start() {
    loop.scheduleWithFixedDelay(this::tickSafely, 0, 50, TimeUnit.MILLISECONDS);
  }

  private void tickSafely() {
    try {
      tick.run();
    } catch (RuntimeException e) {
      lastError = e;
    }
  }

  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package ai.dynamo.deploy.worker;

import ai.dynamo.deploy.activities.WorkerWarmUp;
import ai.dynamo.deploy.workflows.DeployIds;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker polling {@link DeployIds#TASK_QUEUE}. Any number may run against one Temporal service; each deploy's
 * work goes to whichever polls first, and a heartbeating wait that loses its worker resumes on another.
 *
 * <p>Shutdown is graceful: polling stops at once, in-flight activities get a grace period to finish, then they
 * are interrupted and Temporal hands them to another worker (after their heartbeat timeout).
 */
public final class DeployWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeployWorker.class);

  /** How long in-flight activities may run on after a shutdown request. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);

  private final WorkerFactory factory;
  /** How its warm-up went; null when it did not warm up. */
  private final WorkerWarmUp.Report warmUp;

  private DeployWorker(WorkerFactory factory, WorkerWarmUp.Report warmUp) {
    this.factory = factory;
    this.warmUp = warmUp;
  }

  /** Starts a worker with the deploy workflow and activities (see {@link DeployRegistration}). */
  public static DeployWorker start(WorkflowClient client, DeployRegistration registration) {
    return start(client, registration, false);
  }

  /**
   * As {@link #start(WorkflowClient, DeployRegistration)}; with {@code warmUpFirst}, the worker first warms up
   * ({@link DeployRegistration#warmUp}, two to three seconds), so that its first deploy is as quick as the next: for a
   * worker that runs for days ({@code dynamo worker}, {@code dynamo server}), not for one command's embedded worker.
   */
  public static DeployWorker start(WorkflowClient client, DeployRegistration registration, boolean warmUpFirst) {
    WorkerWarmUp.Report report = warmUpFirst ? registration.warmUp(client) : null;
    return start(client, registration::register, report);
  }

  /** Starts a worker whose registrations the caller supplies (tests). */
  public static DeployWorker start(WorkflowClient client, Consumer<Worker> registrations) {
    return start(client, registrations, null);
  }

  private static DeployWorker start(WorkflowClient client, Consumer<Worker> registrations, WorkerWarmUp.Report warmUp) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    registrations.accept(factory.newWorker(DeployIds.TASK_QUEUE));
    factory.start();
    log.info("worker polling task queue {} in namespace {}", DeployIds.TASK_QUEUE, client.getOptions().getNamespace());
    return new DeployWorker(factory, warmUp);
  }

  /** How the warm-up before polling went, for the start-up line; empty when the worker did not warm up. */
  public Optional<WorkerWarmUp.Report> warmUp() {
    return Optional.ofNullable(warmUp);
  }

  /**
   * Stops polling, lets in-flight tasks finish within {@code grace}, then interrupts what is left.
   *
   * @return true when everything finished within the grace period
   */
  public boolean shutdown(Duration grace) {
    if (factory.isTerminated()) return true;
    factory.shutdown();
    factory.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    boolean finished = factory.isTerminated();
    if (!finished) {
      log.warn("in-flight activities still running after {}; interrupting them (Temporal retries them elsewhere)", grace);
      factory.shutdownNow();
      factory.awaitTermination(5, TimeUnit.SECONDS);
    }
    return finished;
  }

  public boolean isTerminated() {
    return factory.isTerminated();
  }

  @Override
  public void close() {
    shutdown(DEFAULT_GRACE);
  }
}

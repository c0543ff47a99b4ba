package ai.dynamo.deploy.testing;

import ai.dynamo.deploy.activities.DeployActivitiesImpl;
import ai.dynamo.deploy.activities.DeployServing;
import ai.dynamo.deploy.activities.DeployTarget;
import ai.dynamo.deploy.activities.DeployTargets;
import ai.dynamo.deploy.activities.WorkerWarmUp;
import ai.dynamo.deploy.testing.fake.FakeTarget;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributeKey;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Temporal's test service ({@link TestWorkflowEnvironment}, real gRPC, time skipping) with a worker on
 * {@link DeployIds#TASK_QUEUE} serving the deploy workflows and their activities over the given targets: what a
 * deploy test needs, declared in one line (closed after each test, or after the class for a static field):
 *
 * <pre>
 * &#64;RegisterExtension final DeployEnvironment deploys = DeployEnvironment.withFakeTarget();
 * </pre>
 */
public final class DeployEnvironment extends Lifecycle {
  private final TestWorkflowEnvironment temporal;
  private final List<DeployTarget> targets;
  private final List<WorkerFactory> activityWorkers = new ArrayList<>();

  private DeployEnvironment(WorkerOptions options, List<DeployTarget> targets) {
    this.targets = List.copyOf(targets);
    this.temporal = TestWorkflowEnvironment.newInstance();
    Worker worker = temporal.newWorker(DeployIds.TASK_QUEUE, options);
    register(worker, this.targets);
    temporal.start();
  }

  /** A worker serving the workflows and every activity with these targets. */
  public static DeployEnvironment serving(DeployTarget... targets) {
    return new DeployEnvironment(WorkerOptions.getDefaultInstance(), List.of(targets));
  }

  /** {@link #serving} a fresh in-memory {@link FakeTarget}. */
  public static DeployEnvironment withFakeTarget() {
    return serving(new FakeTarget());
  }

  /**
   * A worker serving workflow tasks and the local activities they run (applies) only: the other activities go to
   * {@link #startActivityWorker} workers, which a test may stop like a worker process. (The Java test server loses a
   * workflow task handed to the long poll of a worker that shut down, so the workflow worker stays up.)
   */
  public static DeployEnvironment workflowWorkerOnly(DeployTarget... targets) {
    return new DeployEnvironment(WorkerOptions.newBuilder().setLocalActivityWorkerOnly(true).build(), List.of(targets));
  }

  /** Registers the typed deploy search attributes on the test server (a real server has them registered once). */
  public DeployEnvironment withSearchAttributes() {
    for (SearchAttributeKey<?> key : DeploySearchAttributes.ALL) {
      temporal.registerSearchAttribute(key.getName(), key.getValueType());
    }
    return this;
  }

  /** Names of the deploy search attributes, for a client that cannot ask the test server which are registered. */
  public static java.util.Set<String> searchAttributeNames() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (SearchAttributeKey<?> key : DeploySearchAttributes.ALL) names.add(key.getName());
    return names;
  }

  /** Starts another worker (like another worker process) serving the activities only, with {@code target}. */
  public WorkerFactory startActivityWorker(DeployTarget target) {
    WorkerFactory factory = WorkerFactory.newInstance(temporal.getWorkflowClient());
    factory.newWorker(DeployIds.TASK_QUEUE).registerActivitiesImplementations(activities(List.of(target)));
    factory.start();
    activityWorkers.add(factory);
    return factory;
  }

  /**
   * Warms the workflow code and the targets up as a long-running worker does before it polls ({@link WorkerWarmUp});
   * benchmarks measure a fresh worker's first deploy after it.
   */
  public WorkerWarmUp.Report warmUp() {
    return WorkerWarmUp.run(client(), registry(targets));
  }

  public WorkflowClient client() {
    return temporal.getWorkflowClient();
  }

  public TestWorkflowEnvironment temporal() {
    return temporal;
  }

  /** The first {@link FakeTarget} this environment serves. */
  public FakeTarget fake() {
    return targets.stream().filter(FakeTarget.class::isInstance).map(FakeTarget.class::cast).findFirst()
        .orElseThrow(() -> new IllegalStateException("this environment serves no fake target"));
  }

  /** The events of the stub's run. */
  public List<HistoryEvent> history(WorkflowStub stub) {
    return client().fetchHistory(stub.getExecution().getWorkflowId(), stub.getExecution().getRunId()).getEvents();
  }

  /** Stops the workers and the test service, then closes the targets it serves that hold resources. */
  @Override
  public void close() {
    for (WorkerFactory factory : activityWorkers) factory.shutdownNow();
    temporal.close();
    for (DeployTarget target : targets) {
      if (!(target instanceof AutoCloseable closeable)) continue;
      try {
        closeable.close();
      } catch (Exception e) {
        throw new IllegalStateException("cannot close the " + target.kind() + " target", e);
      }
    }
  }

  private static void register(Worker worker, List<DeployTarget> targets) {
    DeployServing.register(worker, registry(targets));
  }

  private static DeployActivitiesImpl activities(List<DeployTarget> targets) {
    return new DeployActivitiesImpl(registry(targets));
  }

  private static DeployTargets registry(List<DeployTarget> targets) {
    DeployTargets registry = new DeployTargets();
    targets.forEach(registry::register);
    return registry;
  }
}

package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.testing.fake.FakeTarget;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.DeployWorkflow;
import ai.dynamo.deploy.workflows.DeployWorkflowImpl;
import ai.dynamo.deploy.workflows.TargetRecordsWorkflowImpl;
import ai.dynamo.deploy.workflows.client.DeployOutcomes;
import ai.dynamo.deploy.workflows.client.DeployStarter;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** A test Temporal service with one worker serving the deploy workflow and a fake target. */
final class Harness implements AutoCloseable {
  final TestWorkflowEnvironment env;
  final FakeTarget fake;
  final WorkflowClient client;

  Harness() {
    this(new FakeTarget());
  }

  Harness(FakeTarget fake) {
    this.env = TestWorkflowEnvironment.newInstance();
    this.fake = fake;
    Worker worker = env.newWorker(DeployIds.TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(DeployWorkflowImpl.class, TargetRecordsWorkflowImpl.class);
    worker.registerActivitiesImplementations(new DeployActivitiesImpl(new DeployTargets().register(fake)));
    env.start();
    this.client = env.getWorkflowClient();
  }

  /** Starts the deploy (as the CLI does) and returns its stub. */
  WorkflowStub start(DeployRequest request) {
    DeployStarter.Started started = DeployStarter.startOrAttach(client, request);
    return client.newUntypedWorkflowStub(started.workflowId(), java.util.Optional.of(started.runId()),
        java.util.Optional.empty());
  }

  /** Starts the deploy and waits for its end, however it ends. */
  DeployResult deploy(DeployRequest request) {
    return DeployOutcomes.await(start(request));
  }

  DeployWorkflow typed(WorkflowStub stub) {
    return client.newWorkflowStub(DeployWorkflow.class, stub.getExecution().getWorkflowId());
  }

  List<HistoryEvent> history(WorkflowStub stub) {
    return client
        .fetchHistory(stub.getExecution().getWorkflowId(), stub.getExecution().getRunId())
        .getEvents();
  }

  /** Polls (real time) until the condition holds; fails the test after the limit. */
  static void eventually(Duration limit, BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) throw new AssertionError("condition not met within " + limit);
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    env.close();
  }
}

package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.DeployWorkflow;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.TargetSpec;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.util.Map;

/**
 * The warm-up's rehearsal: one whole deploy of the sample graph, run live through a worker of its own on a private
 * Temporal service in this process (Temporal's Java test server over an in-process channel: no socket), against
 * {@link RehearsalTarget}. The replay warms the workflow code; a fresh worker's first deploy still paid for the
 * paths only a live run takes: starting a workflow, the SDK's handling of workflow and activity tasks and their
 * answers, local activities, heartbeats, and our activities' own code. Nothing reaches the worker's Temporal
 * service or any cluster (BENCHMARKS.md "rehearsal").
 */
final class WorkerRehearsal {
  static final String WORKFLOW_ID = "dynamo-warm-up-rehearsal";

  private WorkerRehearsal() {}

  /**
   * Runs the rehearsal with {@code client}'s data converter (the payloads take the path a real deploy's take).
   *
   * @throws IllegalStateException when the deploy does not end READY
   */
  static void run(WorkflowClient client, Graph sample) {
    TestServer.InProcessTestServer server = TestServer.createServer(true); // real time, as a real service
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setChannel(server.getChannel()).build());
    WorkerFactory factory = null;
    try {
      WorkflowClient own = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
          .setDataConverter(client.getOptions().getDataConverter()).build());
      factory = WorkerFactory.newInstance(own);
      // A cold JVM loads classes on the workflow thread, which can pass the default 1 s deadlock timeout.
      Worker worker = factory.newWorker(DeployIds.TASK_QUEUE,
          WorkerOptions.newBuilder().setDefaultDeadlockDetectionTimeout(30_000).build());
      DeployServing.register(worker, new DeployTargets().register(new RehearsalTarget()));
      factory.start();
      DeployWorkflow deploy = own.newWorkflowStub(DeployWorkflow.class,
          WorkflowOptions.newBuilder().setTaskQueue(DeployIds.TASK_QUEUE).setWorkflowId(WORKFLOW_ID).build());
      DeployResult result = deploy.deploy(DeployRequest.of(sample,
          new TargetSpec(RehearsalTarget.KIND, "warm-up", Map.of()), DeployOptions.defaults("dynamo warm-up")));
      if (result.phase() != Phase.READY) {
        throw new IllegalStateException("the rehearsal deploy ended " + result.phase() + ": " + result.message());
      }
    } finally {
      if (factory != null) factory.shutdownNow();
      stubs.shutdownNow();
      server.close();
    }
  }
}

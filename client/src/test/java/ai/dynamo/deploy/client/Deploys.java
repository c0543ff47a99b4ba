package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.DeployWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;

/** Starting and finishing deploys as the CLI does, for the tests that run them against a test environment. */
final class Deploys {
  private Deploys() {}

  /** Starts the deploy (or attaches to it) and returns the stub of its run. */
  static WorkflowStub start(WorkflowClient client, DeployRequest request) {
    return DeployStarter.startOrAttach(client, request).stub(client);
  }

  /** Starts the deploy and waits for its end, however it ends. */
  static DeployResult deploy(WorkflowClient client, DeployRequest request) {
    return DeployOutcomes.await(start(client, request));
  }

  static DeployWorkflow typed(WorkflowClient client, WorkflowStub stub) {
    return client.newWorkflowStub(DeployWorkflow.class, stub.getExecution().getWorkflowId());
  }
}

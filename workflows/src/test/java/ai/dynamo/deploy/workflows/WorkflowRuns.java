package ai.dynamo.deploy.workflows;

import ai.dynamo.deploy.ir.Graph;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.Map;

/** Runs of the deploy workflow on Temporal's test server with {@link ScriptedActivities}, for this module's tests. */
final class WorkflowRuns {
  private WorkflowRuns() {}

  static final Duration READINESS = Duration.ofMinutes(30);

  static DeployRequest request(Graph graph) {
    return request(graph, new DeployOptions(READINESS, Duration.ofMinutes(5), "test@host"));
  }

  static DeployRequest request(Graph graph, DeployOptions options) {
    return DeployRequest.of(graph, new TargetSpec("scripted", "lab", Map.of()), options);
  }

  /** Registers the script as the activities, starts the service, starts the deploy; returns its stub. */
  static WorkflowStub start(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options,
      ScriptedActivities script, DeployRequest request) {
    worker.registerActivitiesImplementations(script);
    env.start();
    return start(env.getWorkflowClient(), options, request);
  }

  /** Starts one more deploy on a running service, with a workflow ID of its own. */
  static WorkflowStub start(WorkflowClient client, WorkflowOptions options, DeployRequest request) {
    WorkflowOptions withId = WorkflowOptions.newBuilder(options)
        .setWorkflowId(DeployIds.workflowId("scripted", "lab", request.graph().name()) + "/" + System.nanoTime())
        .build();
    DeployWorkflow workflow = client.newWorkflowStub(DeployWorkflow.class, withId);
    WorkflowClient.start(workflow::deploy, request);
    return WorkflowStub.fromTyped(workflow);
  }

  /** How the run ended: its result, the result in its failure, or (cancelled) its last progress. */
  static DeployResult await(WorkflowStub stub) {
    try {
      return stub.getResult(DeployResult.class);
    } catch (WorkflowFailedException e) {
      if (e.getCause() instanceof ApplicationFailure af && DeployFailures.DEPLOY_FAILED.equals(af.getType())) {
        return af.getDetails().get(DeployResult.class);
      }
      if (e.getCause() instanceof CanceledFailure) {
        DeployProgress p = stub.query("progress", DeployProgress.class);
        return new DeployResult(Phase.CANCELLED, 0, p.message(), p);
      }
      throw e;
    }
  }

  static DeployProgress progress(WorkflowStub stub) {
    return stub.query("progress", DeployProgress.class);
  }

  /** Polls (real time) until the deploy is in {@code phase}. */
  static DeployProgress awaitPhase(WorkflowStub stub, Phase phase) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (progress(stub) == null || progress(stub).phase() != phase) {
      if (System.nanoTime() > until) throw new AssertionError("not " + phase + " within 60s: " + progress(stub));
      Thread.sleep(20);
    }
    return progress(stub);
  }
}

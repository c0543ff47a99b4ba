package ai.dynamo.deploy.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's warm-up: the recorded deploy replays through today's workflow code (a change that stops it replaying
 * fails here, not silently at a worker's start), every target gets the sample, and a failing target is reported
 * without stopping the worker. On Temporal's test service (the replay asks the service's capabilities).
 */
class WorkerWarmUpTest {
  private final TestWorkflowEnvironment temporal = TestWorkflowEnvironment.newInstance();
  private final WorkflowClient client = temporal.getWorkflowClient();

  @AfterEach
  void close() {
    temporal.close();
  }

  /** Records the sample it was given. */
  static final class Recording extends DeployTargetDefaultsTest.Minimal {
    final List<Graph> samples = new ArrayList<>();

    Recording(String kind) {
      super(kind);
    }

    @Override
    public void warmUp(Graph sample) {
      samples.add(sample);
    }
  }

  @Test
  void replaysTheRecordedDeployAndWarmsEveryTargetWithTheSample() {
    Recording a = new Recording("a");
    Recording b = new Recording("b");
    WorkerWarmUp.Report report = WorkerWarmUp.run(client, new DeployTargets().register(a).register(b));
    assertEquals(List.of(), report.failures());
    assertTrue(report.replayed(), "the recorded deploy replays through the current workflow code");
    assertEquals(List.of("a", "b"), report.warmedTargets());
    assertEquals(1, a.samples.size());
    assertEquals(List.of("frontend", "group"), a.samples.get(0).components().stream().map(Component::name).toList());
    assertEquals(2, a.samples.get(0).components().get(1).multiNode().numNodes());
    assertEquals(a.samples, b.samples);
  }

  /**
   * A Temporal service that accepts the connection and never answers: the replay's capabilities call would wait;
   * the bound ends the warm-up with a message naming the address, and the targets still warm up.
   */
  @Test
  void aServiceThatDoesNotAnswerEndsTheReplayAtItsBoundNamingTheAddress() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String address = "127.0.0.1:" + silent.getLocalPort();
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
      try {
        Recording target = new Recording("a");
        WorkerWarmUp.Report report = WorkerWarmUp.run(WorkflowClient.newInstance(stubs),
            new DeployTargets().register(target), Duration.ofSeconds(2));
        assertFalse(report.replayed());
        assertEquals(List.of("replaying warm-up-history.json: not done within 2 s (the Temporal service at " + address
            + " did not answer)"), report.failures());
        assertEquals(List.of("a"), report.warmedTargets());
      } finally {
        stubs.shutdownNow();
      }
    }
  }

  @Test
  void aTargetThatFailsToWarmUpIsReportedAndTheOthersStillWarm() {
    DeployTarget broken = new DeployTargetDefaultsTest.Minimal("broken") {
      @Override
      public void warmUp(Graph sample) {
        throw new IllegalStateException("no such library");
      }
    };
    Recording fine = new Recording("fine");
    WorkerWarmUp.Report report = WorkerWarmUp.run(client, new DeployTargets().register(broken).register(fine));
    assertTrue(report.replayed());
    assertEquals(List.of("fine"), report.warmedTargets());
    assertEquals(List.of("target broken: java.lang.IllegalStateException: no such library"), report.failures());
    assertFalse(fine.samples.isEmpty());
  }
}

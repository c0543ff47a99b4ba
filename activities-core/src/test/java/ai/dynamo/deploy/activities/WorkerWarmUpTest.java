package ai.dynamo.deploy.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.temporal.api.common.v1.Payload;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.payload.codec.PayloadCodec;
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
 * without stopping the worker; the rehearsal deploy ends READY on its own private service, never on the worker's. On
 * Temporal's test service (the replay asks the service's capabilities).
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
    assertTrue(report.rehearsed(), "the sample deploys READY on the private service");
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
        assertTrue(report.rehearsed(), "the rehearsal needs no service but its own");
        assertEquals(List.of("replaying warm-up-history.json: not done within 2 s (the Temporal service at " + address
            + " did not answer)"), report.failures());
        assertEquals(List.of("a"), report.warmedTargets());
      } finally {
        stubs.shutdownNow();
      }
    }
  }

  /** The rehearsal runs on a service of its own: the worker's service never hears of it. */
  @Test
  void theRehearsalNeverReachesTheWorkersService() {
    WorkerWarmUp.Report report = WorkerWarmUp.run(client, new DeployTargets());
    assertTrue(report.rehearsed());
    WorkflowStub stub = client.newUntypedWorkflowStub(WorkerRehearsal.WORKFLOW_ID);
    WorkflowNotFoundException e = assertThrows(WorkflowNotFoundException.class, stub::describe);
    assertTrue(e.getMessage().contains(WorkerRehearsal.WORKFLOW_ID), e.getMessage());
    assertEquals(0, temporal.getWorkflowServiceStubs().blockingStub().listOpenWorkflowExecutions(
        ListOpenWorkflowExecutionsRequest.newBuilder().setNamespace(temporal.getNamespace()).build())
        .getExecutionsCount());
  }

  /**
   * A rehearsal that fails (here: the worker's data converter refuses every payload, so the replay fails too) is
   * reported, and the targets still warm up: only the first deploy's speed depends on it.
   */
  @Test
  void aRehearsalThatFailsIsReportedAndTheTargetsStillWarm() {
    PayloadCodec refusing = new PayloadCodec() {
      @Override
      public List<Payload> encode(List<Payload> payloads) {
        throw new IllegalStateException("codec refuses");
      }

      @Override
      public List<Payload> decode(List<Payload> payloads) {
        return payloads;
      }
    };
    WorkflowClient refusingClient = WorkflowClient.newInstance(temporal.getWorkflowServiceStubs(),
        WorkflowClientOptions.newBuilder().setNamespace(temporal.getNamespace())
            .setDataConverter(new CodecDataConverter(DefaultDataConverter.newDefaultInstance(), List.of(refusing)))
            .build());
    Recording target = new Recording("a");
    WorkerWarmUp.Report report = WorkerWarmUp.run(refusingClient, new DeployTargets().register(target));
    assertFalse(report.rehearsed());
    assertTrue(report.failures().stream().anyMatch(f -> f.startsWith("the rehearsal deploy: ")
        && f.contains("codec refuses")), report.failures().toString());
    assertEquals(List.of("a"), report.warmedTargets());
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

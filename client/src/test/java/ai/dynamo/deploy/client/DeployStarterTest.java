package ai.dynamo.deploy.client;

import ai.dynamo.deploy.ir.TestGraphs;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.fake.FakeDeploys;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.SpecDigest;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Client-side start semantics: attach to the same spec, refuse a different one, search attributes when present. */
@Timeout(120)
class DeployStarterTest {
  private static final Map<String, String> SLOW = Map.of("fake.readyAfterSeconds", "600", "fake.pollMillis", "100");

  @Test
  void sameSpecWhileRunningAttachesToTheRun() throws Exception {
    try (DeployEnvironment env = DeployEnvironment.withFakeTarget()) {
      DeployRequest request = FakeDeploys.request(TestGraphs.sample(), SLOW);
      DeployStarter.Started first = DeployStarter.startOrAttach(env.client(), request);
      DeployStarter.Started again = DeployStarter.startOrAttach(env.client(), request);
      assertFalse(first.attached());
      assertTrue(again.attached());
      assertEquals(first.runId(), again.runId());
      env.client().newUntypedWorkflowStub(first.workflowId()).cancel();
    }
  }

  @Test
  void differentSpecWhileRunningIsRefusedNamingTheRunAndHowToCancel() {
    try (DeployEnvironment env = DeployEnvironment.withFakeTarget()) {
      DeployStarter.Started first = DeployStarter.startOrAttach(env.client(), FakeDeploys.request(TestGraphs.sample(), SLOW));
      Map<String, String> other = new java.util.HashMap<>(SLOW);
      other.put("fake.pollMillis", "200");
      DeployRequest different =
          FakeDeploys.request(TestGraphs.sample(), other, Duration.ofMinutes(30));
      DeployRequest differentDigest =
          new DeployRequest(different.graph(), "another-digest", different.target(), different.options());
      DeployConflictException e =
          assertThrows(DeployConflictException.class, () -> DeployStarter.startOrAttach(env.client(), differentDigest));
      assertEquals(first.runId(), e.runId());
      assertTrue(e.getMessage().contains("deploy/fake/lab/dynamo-graph"), e.getMessage());
      // the workflow ID picks the place whatever else runs: a graph name may be deployed in several
      assertTrue(e.getMessage().contains("`dynamo deploy cancel deploy/fake/lab/dynamo-graph`"), e.getMessage());
      env.client().newUntypedWorkflowStub(first.workflowId()).cancel();
    }
  }

  /** A deploy started by a version before the stable graph digest carries the previous form of the same spec. */
  private static DeployRequest startedByAnOlderVersion(DeployRequest r) {
    return new DeployRequest(r.graph(), SpecDigest.previousForm(r.graph(), r.target()), r.target(), r.options());
  }

  @Test
  void theSameSpecStartedByAnOlderVersionIsAttachedTo() {
    try (DeployEnvironment env = DeployEnvironment.withFakeTarget()) {
      DeployRequest request = FakeDeploys.request(TestGraphs.sample(), SLOW);
      DeployRequest older = startedByAnOlderVersion(request);
      assertNotEquals(request.specDigest(), older.specDigest(), "the previous form differs for this graph");
      DeployStarter.Started first = DeployStarter.startOrAttach(env.client(), older);
      DeployStarter.Started again = DeployStarter.startOrAttach(env.client(), request);
      assertTrue(again.attached());
      assertEquals(first.runId(), again.runId());
      env.client().newUntypedWorkflowStub(first.workflowId()).cancel();
    }
  }

  @Test
  void aDifferentSpecIsRefusedWhileAnOlderVersionsDeployRuns() {
    try (DeployEnvironment env = DeployEnvironment.withFakeTarget()) {
      DeployStarter.Started first = DeployStarter.startOrAttach(env.client(),
          startedByAnOlderVersion(FakeDeploys.request(TestGraphs.sample(), SLOW)));
      Map<String, String> other = new java.util.HashMap<>(SLOW);
      other.put("fake.pollMillis", "200");
      DeployConflictException e = assertThrows(DeployConflictException.class,
          () -> DeployStarter.startOrAttach(env.client(), FakeDeploys.request(TestGraphs.sample(), other)));
      assertEquals(first.runId(), e.runId());
      assertThrows(DeployConflictException.class,
          () -> DeployStarter.startOrAttach(env.client(), FakeDeploys.request(TestGraphs.small(), SLOW)),
          "another graph of the same name");
      env.client().newUntypedWorkflowStub(first.workflowId()).cancel();
    }
  }

  @Test
  void afterARunEndedTheSameIdStartsANewRun() {
    try (DeployEnvironment env = DeployEnvironment.withFakeTarget()) {
      DeployRequest request = FakeDeploys.request(TestGraphs.sample(), Map.of());
      assertEquals(Phase.READY, Deploys.deploy(env.client(), request).phase());
      DeployStarter.Started next = DeployStarter.startOrAttach(env.client(), request);
      assertFalse(next.attached());
    }
  }

  @Test
  void registeredSearchAttributesAreSetAndUpsertedWithPhaseAndRevision() {
    try (DeployEnvironment env = DeployEnvironment.withFakeTarget()) {
      env.withSearchAttributes();
      // The Java test server does not list search attributes; a real server answers ListSearchAttributes.
      DeployStarter.Started started =
          DeployStarter.startOrAttach(
              env.client(),
              FakeDeploys.request(TestGraphs.sample(), Map.of()),
              Set.of("DynamoGraph", "DynamoTarget", "DynamoPhase", "DynamoRevision"));
      WorkflowStub stub = env.client().newUntypedWorkflowStub(started.workflowId());
      DeployResult result = DeployOutcomes.await(stub);
      assertEquals(Phase.READY, result.phase());

      WorkflowExecutionDescription d = stub.describe();
      assertEquals("dynamo-graph", d.getTypedSearchAttributes().get(DeploySearchAttributes.GRAPH));
      assertEquals("fake@lab", d.getTypedSearchAttributes().get(DeploySearchAttributes.TARGET));
      assertEquals("READY", d.getTypedSearchAttributes().get(DeploySearchAttributes.PHASE));
      assertEquals(1L, d.getTypedSearchAttributes().get(DeploySearchAttributes.REVISION));
      assertEquals("deploy dynamo-graph -> fake@lab", d.getStaticSummary());
    }
  }

  @Test
  void withoutRegisteredSearchAttributesDeploysStillWork() {
    try (DeployEnvironment env = DeployEnvironment.withFakeTarget()) {
      WorkflowStub stub = Deploys.start(env.client(), FakeDeploys.request(TestGraphs.sample(), Map.of()));
      assertEquals(Phase.READY, DeployOutcomes.await(stub).phase());
      assertFalse(stub.describe().getTypedSearchAttributes().containsKey(DeploySearchAttributes.PHASE));
      assertTrue(
          env.history(stub).stream().noneMatch(e -> e.hasUpsertWorkflowSearchAttributesEventAttributes()),
          "no upserts for keys the server does not have");
    }
  }

  @Test
  void specDigestIsInTheMemo() {
    try (DeployEnvironment env = DeployEnvironment.withFakeTarget()) {
      DeployRequest request = FakeDeploys.request(TestGraphs.sample(), Map.of());
      WorkflowStub stub = Deploys.start(env.client(), request);
      DeployOutcomes.await(stub);
      assertEquals(
          request.specDigest(),
          stub.describe().getMemo(DeploySearchAttributes.MEMO_SPEC_DIGEST, String.class));
      assertNotNull(Optional.of(stub.getExecution().getRunId()).orElse(null));
    }
  }
}

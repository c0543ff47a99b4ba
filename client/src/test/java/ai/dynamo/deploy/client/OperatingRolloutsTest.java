package ai.dynamo.deploy.client;

import ai.dynamo.deploy.ir.TestGraphs;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.Eventually;
import ai.dynamo.deploy.testing.fake.FakeDeploys;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.ComponentPhase;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionStatus;
import ai.dynamo.deploy.workflows.TargetRecords;
import ai.dynamo.deploy.workflows.TargetSpec;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * Operating rollouts with the fake target: pause on failure and the decisions on it (retry, rollback, abort, the
 * pause timeout), decisions that do not apply, retry of an ended deploy, history, rollback to a revision.
 */
@Timeout(120)
class OperatingRolloutsTest {
  static final String WF = "deploy/fake/lab/dynamo-graph";
  static final TargetSpec LAB = new TargetSpec("fake", "lab", Map.of());
  static final Set<String> ATTRIBUTES = DeploySearchAttributes.NAMES;

  @RegisterExtension final DeployEnvironment env = DeployEnvironment.withFakeTarget().withSearchAttributes();

  /** small(): the engine vllm_worker (wave 1) and the front end http_ingress (wave 2), which fails. */
  static DeployRequest failingFrontEnd(Duration pauseTimeout) {
    DeployRequest r = FakeDeploys.request(TestGraphs.small(), Map.of("fake.failComponent", "http_ingress",
        "fake.failMessage", "pod http-ingress-0: CrashLoopBackOff (missing HF_TOKEN)"));
    return new DeployRequest(r.graph(), r.specDigest(), r.target(), r.options().pausingOnFailure(pauseTimeout));
  }

  private WorkflowStub start(DeployRequest request) {
    return DeployStarter.startOrAttach(env.client(), request, ATTRIBUTES).stub(env.client());
  }

  private DeployProgress awaitPhase(WorkflowStub stub, Phase phase) throws InterruptedException {
    Eventually.within(Duration.ofSeconds(60), () -> stub.query("progress", DeployProgress.class).phase() == phase);
    return stub.query("progress", DeployProgress.class);
  }

  private long count(String call) {
    return env.fake().calls().stream().filter(call::equals).count();
  }

  @Test
  void pausedDeployShowsTheFailureAndRetrySucceedsOnceTheCauseIsFixed() throws Exception {
    WorkflowStub stub = start(failingFrontEnd(null));
    DeployProgress paused = awaitPhase(stub, Phase.PAUSED);

    // PAUSED in progress, with the failing component and its reason; the failed state is kept (no rollback).
    assertTrue(paused.message().contains("http_ingress: pod http-ingress-0: CrashLoopBackOff (missing HF_TOKEN)"),
        paused.message());
    // a place the fake target names by no flag: its workflow ID
    assertTrue(paused.message().contains("`dynamo deploy retry|rollback|abort deploy/fake/lab/dynamo-graph`"),
        paused.message());
    assertEquals(ComponentPhase.FAILED, paused.component("http_ingress").phase());
    assertEquals(ComponentPhase.READY, paused.component("vllm_worker").phase());
    assertFalse(env.fake().calls().stream().anyMatch(c -> c.startsWith("rollback")), env.fake().calls().toString());
    assertEquals(Map.of("http_ingress", 1, "vllm_worker", 1), env.fake().running("lab", "dynamo-graph"));
    // ... in the search attribute and the UI's current details too.
    var described = stub.describe();
    assertEquals("PAUSED", described.getTypedSearchAttributes().get(
        DeploySearchAttributes.PHASE));
    String details = stub.query("__temporal_workflow_metadata", io.temporal.api.sdk.v1.WorkflowMetadata.class)
        .getCurrentDetails();
    assertTrue(details.startsWith("**PAUSED** · rev 1"), details);
    assertTrue(details.contains("| http_ingress | added | FAILED | 0/2 | pod http-ingress-0: CrashLoopBackOff"), details);

    env.fake().fix("lab", "dynamo-graph", "http_ingress");
    DeployDecisions.Outcome retried = DeployDecisions.retry(env.client(), WF, null, ATTRIBUTES);
    assertFalse(retried.newRun(), "a paused run retries in place");
    assertTrue(retried.message().startsWith("retrying http_ingress"), retried.message());

    DeployResult result = DeployOutcomes.await(stub);
    assertEquals(Phase.READY, result.phase(), result.message());
    assertEquals(1, result.revision());
    // Only what failed ran again: the READY engine was applied once and awaited once.
    assertEquals(1, count("apply vllm_worker ALL"), env.fake().calls().toString());
    assertEquals(1, count("await vllm_worker ALL"), env.fake().calls().toString());
    assertEquals(2, count("await http_ingress ALL"), env.fake().calls().toString());
  }

  @Test
  void rollbackOfAPausedDeployRollsBack() throws Exception {
    WorkflowStub stub = start(failingFrontEnd(null));
    awaitPhase(stub, Phase.PAUSED);
    DeployDecisions.Outcome o = DeployDecisions.decide(env.client(), WF, "rollback");
    assertTrue(o.message().contains("rolling back dynamo-graph revision 1"), o.message());
    DeployResult result = DeployOutcomes.await(stub);
    assertEquals(Phase.ROLLED_BACK, result.phase());
    assertTrue(env.fake().calls().contains("rollback dynamo-graph rev 1 -> 0"), env.fake().calls().toString());
    assertEquals(Map.of(), env.fake().running("lab", "dynamo-graph"));
  }

  @Test
  void aPauseNobodyAnswersRollsBackAfterThePauseTimeout() throws Exception {
    WorkflowStub stub = start(failingFrontEnd(Duration.ofMinutes(30)));
    DeployResult result = DeployOutcomes.await(stub); // the test server skips the 30 minutes
    assertEquals(Phase.ROLLED_BACK, result.phase());
    assertTrue(result.message().contains("paused, no decision within 30m"), result.message());
    assertTrue(env.fake().calls().contains("rollback dynamo-graph rev 1 -> 0"), env.fake().calls().toString());
    assertTrue(env.history(stub).stream().anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_TIMER_FIRED));
  }

  @Test
  void abortEndsWithoutRollbackLeavingEverythingAsItIs() throws Exception {
    WorkflowStub stub = start(failingFrontEnd(null));
    awaitPhase(stub, Phase.PAUSED);
    DeployDecisions.decide(env.client(), WF, "abort");
    DeployResult result = DeployOutcomes.await(stub);
    assertEquals(Phase.FAILED, result.phase());
    assertTrue(result.message().startsWith("aborted while paused, nothing rolled back"), result.message());
    assertFalse(env.fake().calls().stream().anyMatch(c -> c.startsWith("rollback")), env.fake().calls().toString());
    assertEquals(Map.of("http_ingress", 1, "vllm_worker", 1), env.fake().running("lab", "dynamo-graph"));
    assertEquals(0, env.fake().liveRevision("lab", "dynamo-graph"), "an aborted revision is not recorded");
  }

  /** The engine (wave 1) fails while the front end (wave 2) waits held: the abort cancels that held job only. */
  @Test
  void abortCancelsTheHeldFrontEndThatNeverStartedAndSaysSo() throws Exception {
    DeployRequest r = FakeDeploys.request(TestGraphs.small(), Map.of("fake.failComponent", "vllm_worker",
        "fake.startsHeld", "true"));
    WorkflowStub stub =
        start(new DeployRequest(r.graph(), r.specDigest(), r.target(), r.options().pausingOnFailure(null)));
    awaitPhase(stub, Phase.PAUSED);
    DeployDecisions.Outcome abort = DeployDecisions.decide(env.client(), WF, "abort");
    assertTrue(abort.message().endsWith("; the held job(s) of http_ingress, which never started, are cancelled"),
        abort.message());
    DeployResult result = DeployOutcomes.await(stub);
    assertEquals(Phase.FAILED, result.phase());
    assertTrue(result.message().startsWith("aborted while paused, nothing rolled back (what revision 1 applied is left"
        + " as it is; no revision is recorded; cancelled the held job(s) of http_ingress, which never started):"
        + " vllm_worker: pod vllm-worker-0: CrashLoopBackOff"), result.message());
    List<String> calls = env.fake().calls();
    assertEquals(1, calls.stream().filter("cancel-held http_ingress rev 1"::equals).count(), calls.toString());
    assertFalse(calls.stream().anyMatch(c -> c.startsWith("rollback") || c.equals("apply http_ingress ALL")),
        calls.toString());
    assertEquals(Map.of("vllm_worker", 1), env.fake().running("lab", "dynamo-graph"), "the failed engine stays");
  }

  @Test
  void cancelWhilePausedRollsBack() throws Exception {
    WorkflowStub stub = start(failingFrontEnd(null));
    awaitPhase(stub, Phase.PAUSED);
    stub.cancel();
    DeployResult result = DeployOutcomes.await(stub);
    assertEquals(Phase.CANCELLED, result.phase());
    assertTrue(env.fake().calls().contains("rollback dynamo-graph rev 1 -> 0"), env.fake().calls().toString());
    assertEquals(Map.of(), env.fake().running("lab", "dynamo-graph"));
  }

  @Test
  void decisionsThatDoNotApplyAreRejectedWithTheReason() throws Exception {
    WorkflowStub stub = start(FakeDeploys.request(TestGraphs.small(), Map.of("fake.readyAfterSeconds", "600",
        "fake.pollMillis", "50")));
    Eventually.within(Duration.ofSeconds(30), () -> env.fake().calls().contains("await vllm_worker ALL"));

    DecisionRejectedException e =
        assertThrows(DecisionRejectedException.class, () -> DeployDecisions.retry(env.client(), WF, null, ATTRIBUTES));
    assertTrue(e.getMessage().contains("retry applies only to a paused deploy, and deploy dynamo-graph is WAITING"),
        e.getMessage());
    assertTrue(e.getMessage().contains("`dynamo deploy cancel deploy/fake/lab/dynamo-graph`"), e.getMessage());
    DecisionRejectedException abort =
        assertThrows(DecisionRejectedException.class, () -> DeployDecisions.decide(env.client(), WF, "abort"));
    assertTrue(abort.getMessage().startsWith("abort applies only to a paused deploy"), abort.getMessage());
    // A rejected update leaves no trace in the history and the deploy goes on.
    assertFalse(env.history(stub).stream().anyMatch(
        ev -> ev.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED));
    stub.cancel();
    assertEquals(Phase.CANCELLED, DeployOutcomes.await(stub).phase());

    DecisionRejectedException ended =
        assertThrows(DecisionRejectedException.class, () -> DeployDecisions.decide(env.client(), WF, "rollback"));
    assertTrue(ended.getMessage().contains("no deploy of dynamo-graph is running"), ended.getMessage());
  }

  @Test
  void retryOfAnEndedDeployStartsANewRunThatChecksWhatAlreadyRuns() throws Exception {
    WorkflowStub first = start(failingFrontEnd(null));
    awaitPhase(first, Phase.PAUSED);
    DeployDecisions.decide(env.client(), WF, "abort");
    assertEquals(Phase.FAILED, DeployOutcomes.await(first).phase());

    env.fake().fix("lab", "dynamo-graph", "http_ingress");
    DeployDecisions.Outcome o = DeployDecisions.retry(env.client(), WF, "oncall@ops", ATTRIBUTES);
    assertTrue(o.newRun());
    assertNotEquals(first.getExecution().getRunId(), o.runId());
    DeployResult result = DeployOutcomes.await(
        env.client().newUntypedWorkflowStub(WF, Optional.of(o.runId()), Optional.empty()));
    assertEquals(Phase.READY, result.phase(), result.message());
    assertEquals(1, result.revision());
    // Both components already ran as revision 1 of this spec: checked, not applied again.
    assertEquals(1, count("apply vllm_worker ALL"), env.fake().calls().toString());
    assertEquals(1, count("apply http_ingress ALL"), env.fake().calls().toString());
    assertTrue(env.fake().calls().contains("current vllm_worker ALL"), env.fake().calls().toString());
    assertEquals("oncall@ops", records(0).history().get(0).startedBy());

    DecisionRejectedException again =
        assertThrows(DecisionRejectedException.class, () -> DeployDecisions.retry(env.client(), WF, null, ATTRIBUTES));
    assertTrue(again.getMessage().contains("ended READY"), again.getMessage());
  }

  // ---- history and rollback to a revision ----------------------------------------------------------------------

  /** A version of the small graph with {@code replicas} engines and, from v3 on, a third component. */
  static DeployRequest version(int v) {
    Graph small = TestGraphs.small();
    List<ai.dynamo.deploy.ir.Component> components = new java.util.ArrayList<>(List.of(
        small.components().get(0), TestGraphs.service("vllm_worker", "dyn://llama.backend.generate", v)));
    if (v >= 3) components.add(TestGraphs.service("router", "http", 1));
    Graph g = new Graph("1.0", "dynamo-graph", components);
    TargetSpec target = new TargetSpec("fake", "lab", Map.of("fake.pollMillis", String.valueOf(100 + v)));
    return DeployRequest.of(g, target,
        new DeployOptions(Duration.ofMinutes(5), Duration.ofMinutes(5), "dev" + v + "@ws"));
  }

  private TargetRecords records(int specOf) {
    return DeployRecords.read(env.client(), "dynamo-graph", LAB, specOf);
  }

  private void deployThreeVersions() {
    for (int v = 1; v <= 3; v++) {
      DeployResult r = DeployOutcomes.await(start(version(v)));
      assertEquals(Phase.READY, r.phase(), r.message());
      assertEquals(v, r.revision());
    }
  }

  @Test
  void historyAfterThreeDeploysAndARollback() {
    deployThreeVersions();
    DeployStarter.Started rb = DeployRecords.rollbackTo(env.client(), "dynamo-graph", LAB, 0,
        DeployOptions.defaults("oncall@ops"), ATTRIBUTES);
    DeployResult rolled = DeployOutcomes.await(env.client().newUntypedWorkflowStub(WF, Optional.of(rb.runId()),
        Optional.empty()));
    assertEquals(Phase.READY, rolled.phase(), rolled.message());
    assertEquals(4, rolled.revision());

    TargetRecords records = records(0);
    assertEquals(4, records.liveRevision());
    List<RevisionEntry> history = records.history();
    assertEquals(List.of(1, 2, 3, 4), history.stream().map(RevisionEntry::revision).toList());
    assertEquals(List.of(RevisionStatus.SUPERSEDED, RevisionStatus.SUPERSEDED, RevisionStatus.SUPERSEDED,
        RevisionStatus.READY), history.stream().map(RevisionEntry::status).toList());
    assertEquals(List.of("dev1@ws", "dev2@ws", "dev3@ws", "oncall@ops"),
        history.stream().map(RevisionEntry::startedBy).toList());
    assertEquals("rolled back to 2", history.get(3).note(), "default: the previous revision");
    assertEquals(version(2).specDigest(), history.get(3).specDigest());
    assertEquals("", history.get(2).note());
    assertTrue(history.get(3).epochMillis() >= history.get(0).epochMillis());
  }

  @Test
  void rollbackToRevisionOneRestoresRevisionOneExactly() {
    deployThreeVersions();
    assertEquals(Map.of("http_ingress", 3, "router", 3, "vllm_worker", 3), env.fake().running("lab", "dynamo-graph"));

    DeployStarter.Started rb = DeployRecords.rollbackTo(env.client(), "dynamo-graph", LAB, 1,
        DeployOptions.defaults("oncall@ops"), ATTRIBUTES);
    DeployResult rolled = DeployOutcomes.await(env.client().newUntypedWorkflowStub(WF, Optional.of(rb.runId()),
        Optional.empty()));
    assertEquals(Phase.READY, rolled.phase(), rolled.message());
    assertEquals(5 - 1, rolled.revision());

    // Exactly revision 1: its components (router gone), its spec, its settings, its replica counts.
    String rev1 = version(1).specDigest();
    assertEquals(new TreeMap<>(Map.of("http_ingress", rev1, "vllm_worker", rev1)),
        env.fake().runningSpecs("lab", "dynamo-graph"));
    TargetRecords r4 = records(4);
    assertEquals(version(1).graph(), r4.spec().graph());
    assertEquals(version(1).target().settings(), r4.spec().settings());
    assertEquals(1, rolled.progress().component("vllm_worker").desired());
    assertEquals("rolled back to 1", r4.history().get(3).note());
  }

  @Test
  void rollbackToARevisionThatWasNeverRecordedIsRefused() {
    deployThreeVersions();
    DecisionRejectedException e = assertThrows(DecisionRejectedException.class,
        () -> DeployRecords.rollbackTo(env.client(), "dynamo-graph", LAB, 7, DeployOptions.defaults("x"), ATTRIBUTES));
    assertTrue(e.getMessage().contains("has no recorded revision 7"), e.getMessage());
  }
}

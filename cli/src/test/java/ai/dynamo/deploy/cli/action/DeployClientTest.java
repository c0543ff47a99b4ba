package ai.dynamo.deploy.cli.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.client.DeployDecisions;
import ai.dynamo.deploy.client.DeployList;
import ai.dynamo.deploy.client.DeployRefusedException;
import ai.dynamo.deploy.client.DeployStarter;
import ai.dynamo.deploy.client.DeployStatus;
import ai.dynamo.deploy.client.DeployWatcher;
import ai.dynamo.deploy.workflows.SpecDigest;
import ai.dynamo.deploy.ir.ExampleGraphs;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.testing.fake.FakeTarget;
import ai.dynamo.deploy.worker.DeployRegistration;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client API against a local service (Temporal's test server on a free 127.0.0.1 port, a dynamo worker with the
 * engine and its fake target): start and attach, refusal of a different spec, following to each ending, status,
 * list and cancel.
 */
class DeployClientTest {
  static LocalService service;
  static WorkflowClient client;
  static final Duration POLL = Duration.ofMillis(100);

  @BeforeAll
  static void start() throws Exception {
    service = LocalService.start(0, DeployRegistration.of(new FakeTarget()));
    client = service.client();
  }

  @AfterAll
  static void stop() {
    service.shutdown(Duration.ofSeconds(5));
  }

  static TargetChoice fake(String location, String... keyValues) {
    Map<String, String> settings = new HashMap<>();
    settings.put("location", location);
    for (int i = 0; i < keyValues.length; i += 2) settings.put(keyValues[i], keyValues[i + 1]);
    return TargetChoice.of("fake", null, settings);
  }

  static Graph demo() {
    return ExampleGraphs.demo();
  }

  static DeployOptions options() {
    return DeployOptions.defaults("test@host");
  }

  @Test
  void theSameSpecAttachesToTheRunningDeploy() {
    TargetChoice target = fake("attach", "fake.readyAfterSeconds", "60");
    StartDeploy starter = new StartDeploy(client);
    DeployStarter.Started first = starter.start(demo(), target, options(), true);
    assertFalse(first.attached());
    assertEquals("deploy/fake/attach/demo", first.workflowId());
    DeployStarter.Started second = starter.start(demo(), target, options(), true);
    assertTrue(second.attached());
    assertEquals(first.runId(), second.runId());

    WorkflowExecutionDescription d = client.newUntypedWorkflowStub(first.workflowId()).describe();
    assertEquals(SpecDigest.of(demo(), target.spec()), d.getMemo(DeploySearchAttributes.MEMO_SPEC_DIGEST, String.class));
    assertEquals("deploy demo -> fake@attach", d.getStaticSummary());
    assertEquals("demo", d.getTypedSearchAttributes().get(DeploySearchAttributes.GRAPH));
    DeployDecisions.cancel(client, first.workflowId(), "test cleanup");
  }

  @Test
  void aDifferentSpecWhileOneRunsIsRefusedNamingTheRunAndTheCancelCommand() {
    StartDeploy starter = new StartDeploy(client);
    DeployStarter.Started running = starter.start(demo(), fake("refuse", "fake.readyAfterSeconds", "60"), options(), false);
    UserError e = assertThrows(UserError.class,
        () -> starter.start(demo(), fake("refuse", "fake.readyAfterSeconds", "61"), options(), false));
    assertEquals(ExitCodes.INVALID, e.exitCode());
    assertTrue(e.getMessage().contains(running.workflowId()), e.getMessage());
    assertTrue(e.getMessage().contains("dynamo deploy cancel " + running.workflowId()), e.getMessage());
    DeployDecisions.cancel(client, running.workflowId(), "test cleanup");
  }

  @Test
  void followingADeployEndsWithTheDocumentedExitCodes() throws InterruptedException {
    assertEquals(ExitCodes.OK, ExitCodes.of(follow(fake("ready"), options(), "READY")));
    DeployWatcher.Ending failed = follow(fake("failed", "fake.failComponent", "frontend"), options(), "ROLLED_BACK");
    assertEquals(ExitCodes.DEPLOY_FAILED, ExitCodes.of(failed));
    assertTrue(failed.summary().contains("CrashLoopBackOff"),
        failed.summary());
    DeployOptions shortTimeout = new DeployOptions(Duration.ofSeconds(2), DeployOptions.DEFAULT_ROLLBACK_TIMEOUT, "t");
    assertEquals(ExitCodes.TIMED_OUT, ExitCodes.of(follow(fake("timeout", "fake.neverReady", "frontend"), shortTimeout, "TIMED_OUT")));
  }

  private DeployWatcher.Ending follow(TargetChoice target, DeployOptions options, String phase) throws InterruptedException {
    DeployStarter.Started s = new StartDeploy(client).start(demo(), target, options, false);
    StringWriter text = new StringWriter();
    DeployWatcher.Ending result = new DeployWatcher(client, POLL)
        .watch(s.workflowId(), s.runId(), new LineView(new PrintWriter(text, true)));
    assertTrue(result.summary().startsWith(phase), result.summary());
    assertTrue(text.toString().contains("deploy demo -> " + target.kind() + "@" + target.location() + ": " + phase),
        text.toString());
    return result;
  }

  @Test
  void lineViewPrintsOneLinePerChange() throws InterruptedException {
    DeployStarter.Started s = new StartDeploy(client).start(demo(), fake("lines"), options(), false);
    StringWriter text = new StringWriter();
    new DeployWatcher(client, Duration.ofMillis(20)).watch(s.workflowId(), s.runId(), new LineView(new PrintWriter(text, true)));
    List<String> lines = text.toString().lines().toList();
    assertEquals(lines.size(), lines.stream().distinct().count(), "no line repeats while nothing changes: " + lines);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("  frontend: READY 2/2")), lines.toString());
  }

  @Test
  void cancelRollsBackAndStatusReportsIt() throws InterruptedException {
    DeployStarter.Started s = new StartDeploy(client).start(demo(), fake("cancel", "fake.readyAfterSeconds", "60"), options(), false);
    String runId = DeployDecisions.cancel(client, s.workflowId(), "test");
    assertEquals(s.runId(), runId);
    DeployWatcher.Ending outcome = new DeployWatcher(client, POLL)
        .watch(s.workflowId(), s.runId(), new LineView(new PrintWriter(new StringWriter())));
    assertEquals(ExitCodes.DEPLOY_FAILED, ExitCodes.of(outcome), outcome.summary());
    assertTrue(outcome.progress() != null, outcome.summary());
    assertEquals(Phase.CANCELLED, outcome.progress().phase(), outcome.summary());
    assertTrue(outcome.summary().startsWith("CANCELLED"), outcome.summary());

    DeployStatus.View view = new DeployStatus(client).status(s.workflowId());
    assertEquals("CANCELED", view.status()); // Temporal's status of a workflow that ended after a cancel request
    assertEquals("CANCELLED", view.phase());
    assertTrue(view.components().stream().noneMatch(c -> c.phase().equals("READY")), view.toString());
    // Refused (the CLI's usage error, exit code 2), naming the deploy.
    DeployRefusedException again =
        assertThrows(DeployRefusedException.class, () -> DeployDecisions.cancel(client, s.workflowId(), "again"));
    assertTrue(again.getMessage().contains(s.workflowId() + " is not running"), again.getMessage());
  }

  @Test
  void statusOfARunningDeployComesFromTheProgressQuery() {
    DeployStarter.Started s = new StartDeploy(client).start(demo(), fake("status", "fake.readyAfterSeconds", "60"), options(), false);
    DeployStatus.View view = new DeployStatus(client).status(s.workflowId());
    assertEquals("RUNNING", view.status());
    assertEquals(s.runId(), view.runId());
    assertEquals("demo", view.graph());
    assertEquals("fake@status", view.target());
    assertEquals(List.of("frontend", "vllm_worker", "sglang_group"),
        view.components().stream().map(DeployStatus.ComponentView::name).toList());
    assertNull(view.closedAt());
    assertNotEquals(null, view.startedAt());
    DeployDecisions.cancel(client, s.workflowId(), "test cleanup");
  }

  @Test
  void anUnknownDeployIsAUsageError() {
    DeployRefusedException e =
        assertThrows(DeployRefusedException.class, () -> new DeployStatus(client).status("deploy/fake/nowhere/none"));
    assertTrue(e.getMessage().contains("deploy/fake/nowhere/none"));
  }

  @Test
  void listShowsOpenAndClosedDeploys() throws InterruptedException {
    DeployStarter.Started done = new StartDeploy(client).start(demo(), fake("list-done"), options(), false);
    new DeployWatcher(client, POLL).watch(done.workflowId(), done.runId(), new LineView(new PrintWriter(new StringWriter())));
    DeployStarter.Started open = new StartDeploy(client).start(demo(), fake("list-open", "fake.readyAfterSeconds", "60"), options(), false);
    List<DeployList.Row> rows = new DeployList(client).list(100);
    DeployList.Row doneRow = rows.stream().filter(r -> r.workflowId().equals(done.workflowId())).findFirst().orElseThrow();
    DeployList.Row openRow = rows.stream().filter(r -> r.workflowId().equals(open.workflowId())).findFirst().orElseThrow();
    assertEquals("COMPLETED", doneRow.status());
    assertEquals("RUNNING", openRow.status());
    assertNull(openRow.closedAt());
    assertNotEquals(null, doneRow.closedAt(), "a closed run has its end");
    assertEquals(List.of("demo", "fake", "list-done", "READY", 1, "deploy"), List.of(doneRow.graph(), doneRow.target(),
        doneRow.location(), doneRow.phase(), doneRow.revision(), doneRow.type()));
    assertEquals("list-open", openRow.location());
    DeployDecisions.cancel(client, open.workflowId(), "test cleanup");
  }
}

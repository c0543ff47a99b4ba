package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.DeployTargets;
import ai.dynamo.deploy.testing.fake.FakeTarget;
import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.ir.ExampleGraphs;
import ai.dynamo.deploy.worker.DeployRegistration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operating rollouts through the picocli layer ({@link Main#run}) against a local service whose worker serves the
 * fake target with a state directory (so the test can "fix" a failure the way an operator would): pause, retry,
 * abort, rollback, history, list --phase, and decisions refused with their reason.
 */
@Timeout(180)
class DeployOperateCommandTest {
  static LocalService service;
  static String address;
  @TempDir static Path dir;
  static Path graph;
  static Path state;

  @BeforeAll
  static void start() throws Exception {
    state = Files.createDirectories(dir.resolve("fake-state"));
    // history reads the target from the CLI, whose fake must see what the worker's ran
    System.setProperty(FakeTarget.STATE_DIR_PROPERTY, state.toString());
    service = LocalService.start(0, DeployRegistration.of(new FakeTarget(state)));
    address = service.connection().address();
    graph = Files.writeString(dir.resolve("demo.yaml"), ExampleGraphs.text(ExampleGraphs.DEMO));
  }

  @AfterAll
  static void stop() {
    service.shutdown(Duration.ofSeconds(5));
    System.clearProperty(FakeTarget.STATE_DIR_PROPERTY);
  }

  private static CliRun run(String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--address";
    all[args.length + 1] = address;
    return CliRun.of(all);
  }

  @Test
  void pauseShowsPausedThenRetryAfterTheFixEndsReady() {
    // demo is deployed in a second place too, so `retry demo` alone is ambiguous
    CliRun other = run("deploy", "--target", "fake", "--set", "location=cli-pause-other", "-f", graph.toString(),
        "--wait");
    assertEquals(ExitCodes.OK, other.exitCode(), other.out() + other.err());
    CliRun paused = run("deploy", "--target", "fake", "--set", "location=cli-pause", "--set",
        "fake.failComponent=frontend", "-f", graph.toString(), "--on-failure", "pause", "--wait");
    assertEquals(ExitCodes.DEPLOY_FAILED, paused.exitCode(), paused.out() + paused.err());
    assertTrue(paused.err().startsWith("PAUSED: paused: frontend: "), paused.err());
    // the message names this place with the flags that pick it (not the setting that made it fail)
    String decide = "dynamo deploy retry|rollback|abort demo --target fake --set location=cli-pause";
    assertTrue(paused.err().contains(". Decide with `" + decide + "`; rolls back by itself after 12h"), paused.err());
    CliRun byNameAlone = run("deploy", "retry", "demo");
    assertEquals(ExitCodes.INVALID, byNameAlone.exitCode(), byNameAlone.out() + byNameAlone.err());
    assertTrue(byNameAlone.err().contains("demo is deployed in "), byNameAlone.err());

    CliRun listed = run("deploy", "list", "--phase", "paused");
    assertEquals(ExitCodes.OK, listed.exitCode(), listed.err());
    assertTrue(listed.out().lines().anyMatch(l -> l.matches("demo +fake +cli-pause +PAUSED .*")), listed.out());
    CliRun notListed = run("deploy", "list", "--phase", "READY");
    assertTrue(notListed.out().lines().noneMatch(l -> l.matches("demo +fake +cli-pause .*")), notListed.out());

    new FakeTarget(state).fix("cli-pause", "demo", "frontend");
    // run as copied from the message
    CliRun retry = run(ShellWords.split(decide.replace("retry|rollback|abort", "retry")).stream().skip(1)
        .toArray(String[]::new));
    assertEquals(ExitCodes.OK, retry.exitCode(), retry.out() + retry.err());
    assertTrue(retry.out().startsWith("retrying frontend of demo revision 1"), retry.out());
    CliRun done = run("deploy", "status", "deploy/fake/cli-pause/demo", "--wait");
    assertEquals(ExitCodes.OK, done.exitCode(), done.out() + done.err());
    assertTrue(done.out().lines().anyMatch(l -> l.startsWith("READY: ")), done.out());
  }

  @Test
  void rollbackWaitOfAPausedDeployExitsZeroWhenTheRollbackSucceeds() {
    // As helm rollback: the verb's own outcome. A paused failure ends ROLLED_BACK, a paused timeout TIMED_OUT.
    run("deploy", "--target", "fake", "--set", "location=cli-rb-failed", "--set", "fake.failComponent=frontend",
        "-f", graph.toString(), "--on-failure", "pause", "--pause-timeout", "2h", "--wait");
    CliRun failed = run("deploy", "rollback", "deploy/fake/cli-rb-failed/demo", "--wait");
    assertEquals(ExitCodes.OK, failed.exitCode(), failed.out() + failed.err());
    assertTrue(failed.out().lines().anyMatch(l -> l.startsWith("ROLLED_BACK: ")), failed.out());

    run("deploy", "--target", "fake", "--set", "location=cli-rb-timeout", "--set", "fake.neverReady=frontend",
        "-f", graph.toString(), "--timeout", "2s", "--on-failure", "pause", "--pause-timeout", "2h", "--wait");
    CliRun timedOut = run("deploy", "rollback", "deploy/fake/cli-rb-timeout/demo", "--wait");
    assertEquals(ExitCodes.OK, timedOut.exitCode(), timedOut.out() + timedOut.err());
    assertTrue(timedOut.out().lines().anyMatch(l -> l.startsWith("TIMED_OUT: ")), timedOut.out());
  }

  @Test
  void abortLeavesItAsItIsAndDecisionsThatDoNotApplyAreRefused() {
    CliRun refused = run("deploy", "abort", "demo", "--target", "fake", "--set", "location=cli-abort");
    assertEquals(ExitCodes.INVALID, refused.exitCode(), refused.out() + refused.err());
    assertTrue(refused.err().contains("abort applies only to a paused deploy, and no deploy of demo is running"),
        refused.err());

    run("deploy", "--target", "fake", "--set", "location=cli-abort", "--set", "fake.failComponent=frontend",
        "-f", graph.toString(), "--on-failure", "pause", "--pause-timeout", "2h", "--wait");
    CliRun abort = run("deploy", "abort", "deploy/fake/cli-abort/demo");
    assertEquals(ExitCodes.OK, abort.exitCode(), abort.err());
    assertTrue(abort.out().contains("without rollback"), abort.out());
    CliRun ended = run("deploy", "status", "deploy/fake/cli-abort/demo", "--wait");
    assertEquals(ExitCodes.DEPLOY_FAILED, ended.exitCode());
    assertTrue(ended.err().contains("aborted while paused, nothing rolled back"), ended.err());
    assertEquals(Map.of("frontend", 1, "sglang_group", 1, "vllm_worker", 1),
        new FakeTarget(state).running("cli-abort", "demo"), "left as it is");

    CliRun again = run("deploy", "abort", "deploy/fake/cli-abort/demo");
    assertEquals(ExitCodes.INVALID, again.exitCode());

    CliRun badPolicy = run("deploy", "--target", "fake", "-f", graph.toString(), "--on-failure", "ignore");
    assertEquals(ExitCodes.INVALID, badPolicy.exitCode());
    assertTrue(badPolicy.err().contains("--on-failure must be rollback or pause"), badPolicy.err());
    CliRun badPhase = run("deploy", "list", "--phase", "SLEEPING");
    assertEquals(ExitCodes.INVALID, badPhase.exitCode());
    assertTrue(badPhase.err().contains("--phase must be one of"), badPhase.err());
  }

  /** The engines (wave 1) fail while the front end (wave 2) waits held: abort says it cancels that job, and did. */
  @Test
  void abortNamesTheHeldJobsItCancels() {
    run("deploy", "--target", "fake", "--set", "location=cli-abort-held", "--set", "fake.failComponent=vllm_worker",
        "--set", "fake.startsHeld=true", "-f", graph.toString(), "--on-failure", "pause", "--pause-timeout", "2h",
        "--wait");
    CliRun abort = run("deploy", "abort", "deploy/fake/cli-abort-held/demo");
    assertEquals(ExitCodes.OK, abort.exitCode(), abort.err());
    assertTrue(abort.out().contains("without rollback; failed components stay as they are; the held job(s) of"
        + " frontend, which never started, are cancelled"), abort.out());
    CliRun ended = run("deploy", "status", "deploy/fake/cli-abort-held/demo", "--wait");
    assertEquals(ExitCodes.DEPLOY_FAILED, ended.exitCode());
    assertTrue(ended.err().contains("; cancelled the held job(s) of frontend, which never started): vllm_worker: "),
        ended.err());
  }

  @Test
  void historyAndRollbackToRevisionOne() throws Exception {
    for (int v = 1; v <= 3; v++) {
      CliRun r = run("deploy", "--target", "fake", "--set", "location=cli-hist", "--set",
          "fake.pollMillis=" + (100 + v), "-f", graph.toString(), "--wait");
      assertEquals(ExitCodes.OK, r.exitCode(), r.out() + r.err());
    }
    CliRun table = run("deploy", "history", "demo", "--target", "fake", "--set", "location=cli-hist");
    assertEquals(ExitCodes.OK, table.exitCode(), table.err());
    assertTrue(table.out().startsWith("REVISION  UPDATED (UTC)"), table.out());
    assertTrue(table.out().lines().anyMatch(l -> l.startsWith("3 ") && l.contains("READY")), table.out());
    assertTrue(table.out().lines().anyMatch(l -> l.startsWith("1 ") && l.contains("SUPERSEDED")), table.out());

    CliRun rollback = run("deploy", "rollback", "demo", "--target", "fake", "--set", "location=cli-hist",
        "--to-revision", "1");
    assertEquals(ExitCodes.OK, rollback.exitCode(), rollback.out() + rollback.err());
    assertTrue(rollback.out().startsWith("Rolling back demo to revision 1"), rollback.out());
    assertEquals(ExitCodes.OK, run("deploy", "status", "deploy/fake/cli-hist/demo", "--wait").exitCode());

    CliRun json = run("deploy", "history", "deploy/fake/cli-hist/demo", "-o", "json");
    assertEquals(ExitCodes.OK, json.exitCode(), json.err());
    JsonNode h = new ObjectMapper().readTree(json.out());
    assertEquals(4, h.size());
    assertEquals(4, h.get(3).get("revision").asInt());
    assertEquals("READY", h.get(3).get("status").asText());
    assertEquals("rolled back to 1", h.get(3).get("note").asText());
    assertEquals(h.get(0).get("specDigest").asText(), h.get(3).get("specDigest").asText());
    assertTrue(h.get(3).get("startedBy").asText().contains("@"));

    CliRun missing = run("deploy", "rollback", "demo", "--target", "fake", "--set", "location=cli-hist",
        "--to-revision", "9");
    assertEquals(ExitCodes.INVALID, missing.exitCode());
    assertTrue(missing.err().contains("no recorded revision 9"), missing.err());
  }
}

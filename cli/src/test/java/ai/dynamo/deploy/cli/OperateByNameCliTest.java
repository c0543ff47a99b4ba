package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.ir.ExampleGraphs;
import ai.dynamo.deploy.testing.fake.FakeTarget;
import ai.dynamo.deploy.worker.DeployRegistration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.client.WorkflowExecutionDescription;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operating a deploy by its graph name through {@link Main}, against a local service whose worker serves the fake
 * target: found through Temporal (one place, several, none), explicit flags winning, uninstall then list and history,
 * --wait on retry, rollback and uninstall, logs, and -o json documents parsed back.
 */
@Timeout(240)
class OperateByNameCliTest {
  static LocalService service;
  static String address;
  @TempDir static Path dir;
  static Path state;

  @BeforeAll
  static void start() throws Exception {
    state = Files.createDirectories(dir.resolve("fake-state"));
    // history, logs and status's live check read the target from the CLI, whose fake must see what the worker's ran
    System.setProperty(FakeTarget.STATE_DIR_PROPERTY, state.toString());
    service = LocalService.start(0, DeployRegistration.of(new FakeTarget(state)));
    address = service.connection().address();
  }

  @AfterAll
  static void stop() {
    service.shutdown(Duration.ofSeconds(5));
    System.clearProperty(FakeTarget.STATE_DIR_PROPERTY);
  }

  static CliRun run(String... args) {
    String[] all = Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--address";
    all[args.length + 1] = address;
    return CliRun.of(all);
  }

  /** The demo graph renamed, so each test has graphs of its own. */
  static Path graph(String name) throws Exception {
    return graphIn(dir, name);
  }

  static Path graphIn(Path dir, String name) throws Exception {
    return Files.writeString(dir.resolve(name + ".yaml"),
        ExampleGraphs.text(ExampleGraphs.DEMO).replaceFirst("(?m)^name: .*$", "name: " + name));
  }

  static CliRun deploy(String name, String location, String... more) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("deploy", "--target", "fake", "--set", "location=" + location,
        "-f", graph(name).toString(), "--wait"));
    args.addAll(List.of(more));
    CliRun r = run(args.toArray(String[]::new));
    assertEquals(ExitCodes.OK, r.exitCode(), r.out() + r.err());
    return r;
  }

  @Test
  void aGraphDeployedInOnePlaceIsFoundByNameAloneWithItsSettings() throws Exception {
    deploy("solo", "by-name-one");
    CliRun status = run("deploy", "status", "solo");
    assertEquals(ExitCodes.OK, status.exitCode(), status.out() + status.err());
    assertTrue(status.out().startsWith("workflow  deploy/fake/by-name-one/solo"), status.out());
    assertTrue(status.out().contains("; live (fake@by-name-one): READY, revision 1 is live"), "the live check read"
        + " the target the worker deployed to: " + status.out());
    CliRun history = run("deploy", "history", "solo", "-o", "json");
    assertEquals(ExitCodes.OK, history.exitCode(), history.err());
    assertEquals(1, new ObjectMapper().readTree(history.out()).size());
    CliRun logs = run("deploy", "logs", "solo", "frontend", "--replica", "1", "--tail", "2");
    assertEquals(ExitCodes.OK, logs.exitCode(), logs.err());
    assertEquals("frontend replica 1 rank 0: line 9\nfrontend replica 1 rank 0: line 10\n", logs.out());

    // The memo: target, location and the reach settings only (fake.* scripting settings are not for finding).
    WorkflowExecutionDescription d = service.client().newUntypedWorkflowStub("deploy/fake/by-name-one/solo").describe();
    assertEquals("fake", d.getMemo("target", String.class));
    assertEquals("by-name-one", d.getMemo("location", String.class));
    assertEquals(Map.of("location", "by-name-one"), d.getMemo("settings", Map.class));
  }

  @Test
  void severalPlacesAreListedWithTheFlagsThatPickEachAndFlagsWin() throws Exception {
    deploy("twice", "place-a");
    deploy("twice", "place-b");
    CliRun ambiguous = run("deploy", "history", "twice");
    assertEquals(ExitCodes.INVALID, ambiguous.exitCode(), ambiguous.out() + ambiguous.err());
    assertTrue(ambiguous.err().startsWith("error: twice is deployed in 2 places; say which:"), ambiguous.err());
    assertTrue(ambiguous.err().contains("dynamo deploy history twice --target fake --set location=place-a"),
        ambiguous.err());
    assertTrue(ambiguous.err().contains("dynamo deploy history twice --target fake --set location=place-b"),
        ambiguous.err());
    CliRun picked = run("deploy", "status", "twice", "--target", "fake", "--set", "location=place-b", "-o", "json");
    assertEquals(ExitCodes.OK, picked.exitCode(), picked.out() + picked.err());
    JsonNode doc = new ObjectMapper().readTree(picked.out());
    assertEquals("deploy/fake/place-b/twice", doc.get("workflowId").asText());
    assertEquals(List.of("READY", "fake@place-b", "1"), List.of(doc.get("live").get("state").asText(),
        doc.get("live").get("endpoint").asText(), doc.get("live").get("revision").asText()), doc.toString());
  }

  @Test
  void noDeployOfTheGraphSaysWhereToLookAndWhatTheRecordsNeed() {
    CliRun status = run("deploy", "status", "ghost");
    assertEquals(ExitCodes.INVALID, status.exitCode(), status.err());
    assertTrue(status.err().startsWith("error: no deploy of ghost is known to Temporal at " + address
        + "; see `dynamo deploy list`"), status.err());
    CliRun history = run("deploy", "history", "ghost");
    assertEquals(ExitCodes.INVALID, history.exitCode());
    assertTrue(history.err().contains("history reaches the target itself, whose records outlive Temporal: name it with"
        + " its flags"), history.err());
    // with the flags, history reads the target's records even though Temporal knows no run
    CliRun flagged = run("deploy", "history", "ghost", "--target", "fake", "--set", "location=nowhere");
    assertEquals(ExitCodes.OK, flagged.exitCode(), flagged.err());
    assertTrue(flagged.err().contains("no revisions recorded on the target"), flagged.err());
  }

  @Test
  void diffFindsTheFilesGraphAsEveryVerbDoes() throws Exception {
    // none: a deploy would add every component; no target is asked
    Path fresh = graph("diffnew");
    CliRun none = run("deploy", "diff", "-f", fresh.toString());
    assertEquals(ExitCodes.DEPLOY_FAILED, none.exitCode(), none.out() + none.err());
    assertTrue(none.out().startsWith("diff diffnew -> nowhere (not deployed: first install)"), none.out());
    List<String> rows = none.out().lines().filter(l -> l.startsWith("  ")).toList();
    assertEquals(3, rows.size(), none.out());
    assertTrue(rows.stream().allMatch(l -> l.matches("  \\S+ +add +not deployed anywhere .*")), none.out());

    // one place: that one, with the settings it was deployed with
    deploy("diffone", "diff-one");
    CliRun one = run("deploy", "diff", "-f", graph("diffone").toString());
    assertEquals(ExitCodes.DEPLOY_FAILED, one.exitCode(), one.out() + one.err());
    assertTrue(one.out().startsWith("diff diffone -> fake@diff-one (live revision 1)"), one.out());

    // several: exit 2, each with the flags that pick it; flags still win
    deploy("difftwo", "diff-a");
    deploy("difftwo", "diff-b");
    Path two = graph("difftwo");
    CliRun several = run("deploy", "diff", "-f", two.toString());
    assertEquals(ExitCodes.INVALID, several.exitCode(), several.out() + several.err());
    assertTrue(several.err().startsWith("error: difftwo is deployed in 2 places; say which:"), several.err());
    assertTrue(several.err().contains("dynamo deploy diff -f " + two + " --target fake --set location=diff-a"),
        several.err());
    assertTrue(several.err().contains("dynamo deploy diff -f " + two + " --target fake --set location=diff-b"),
        several.err());
    CliRun picked = run("deploy", "diff", "-f", two.toString(), "--target", "fake", "--set", "location=diff-b");
    assertEquals(ExitCodes.DEPLOY_FAILED, picked.exitCode(), picked.out() + picked.err());
    assertTrue(picked.out().startsWith("diff difftwo -> fake@diff-b (live revision 1)"), picked.out());
  }

  @Test
  void uninstallIsRefusedWhileADeployRunsThenRemovesItAndListAndHistoryShowIt() throws Exception {
    CliRun running = run("deploy", "--target", "fake", "--set", "location=uninst", "--set", "fake.readyAfterSeconds=60",
        "-f", graph("gone").toString());
    assertEquals(ExitCodes.OK, running.exitCode(), running.err());
    CliRun refused = run("deploy", "uninstall", "gone");
    assertEquals(ExitCodes.INVALID, refused.exitCode(), refused.out() + refused.err());
    assertTrue(refused.err().contains("stop it first with `dynamo deploy cancel deploy/fake/uninst/gone`"),
        refused.err());
    assertEquals(ExitCodes.OK, run("deploy", "cancel", "gone").exitCode());
    assertEquals(ExitCodes.DEPLOY_FAILED, run("deploy", "status", "gone", "--wait").exitCode());
    // without fake.readyAfterSeconds=60, which a deploy at the same place would reuse (as helm --reset-values)
    deploy("gone", "uninst", "--reset-settings");

    CliRun uninstall = run("deploy", "uninstall", "gone", "--keep-history", "--wait");
    assertEquals(ExitCodes.OK, uninstall.exitCode(), uninstall.out() + uninstall.err());
    assertTrue(uninstall.out().startsWith("Uninstalling gone from fake@uninst: deploy/fake/uninst/gone (run "),
        uninstall.out());
    assertTrue(uninstall.out().lines().anyMatch(l -> l.startsWith("UNINSTALLED: gone uninstalled from fake@uninst")),
        uninstall.out());
    assertEquals(Map.of(), new FakeTarget(state).running("uninst", "gone"));

    CliRun list = run("deploy", "list", "-o", "json");
    JsonNode row = rows(list.out(), "deploy/fake/uninst/gone").get(0);
    assertEquals("UNINSTALLED", row.get("phase").asText());
    assertEquals("uninstall", row.get("type").asText());
    assertFalse(row.get("closedAt").isNull(), row.toString());
    CliRun table = run("deploy", "list", "--phase", "UNINSTALLED");
    assertTrue(table.out().lines().anyMatch(l -> l.matches("gone +fake +uninst +UNINSTALLED +- .*")),
        table.out() + table.err());
    CliRun history = run("deploy", "history", "gone");
    assertTrue(history.out().lines().anyMatch(l -> l.matches("1 .* UNINSTALLED .* uninstalled by .*@.*")),
        history.out() + history.err());

    CliRun retry = run("deploy", "retry", "gone");
    assertEquals(ExitCodes.INVALID, retry.exitCode());
    assertTrue(retry.err().contains("was an uninstall"), retry.err());
    CliRun again = deploy("gone", "uninst");
    assertTrue(again.out().contains("READY: 3 components ready, revision 2"), again.out() + "\nnumbers go on");
  }

  @Test
  void retryAndRollbackWaitForTheRunTheyStart() throws Exception {
    CliRun failed = run("deploy", "--target", "fake", "--set", "location=waits", "--set",
        "fake.failComponent=frontend", "-f", graph("waiter").toString(), "--wait");
    assertEquals(ExitCodes.DEPLOY_FAILED, failed.exitCode());
    CliRun retried = run("deploy", "retry", "waiter", "--wait");
    assertEquals(ExitCodes.DEPLOY_FAILED, retried.exitCode(), retried.out() + retried.err());
    assertTrue(retried.out().startsWith("retrying waiter as run "), retried.out());
    assertTrue(retried.err().lines().anyMatch(l -> l.startsWith("ROLLED_BACK: ")), retried.err());

    deploy("waiter", "waits-ok");
    deploy("waiter", "waits-ok", "--set", "fake.pollMillis=150");
    CliRun rollback = run("deploy", "rollback", "waiter", "--target", "fake", "--set", "location=waits-ok",
        "--to-revision", "1", "--wait");
    assertEquals(ExitCodes.OK, rollback.exitCode(), rollback.out() + rollback.err());
    assertTrue(rollback.out().lines().anyMatch(l -> l.startsWith("READY: ") && l.contains("revision 3")),
        rollback.out());
  }

  @Test
  void deployAndValidatePrintJsonDocuments() throws Exception {
    CliRun deployed = run("deploy", "--target", "fake", "--set", "location=json", "-f", graph("doc").toString(),
        "--wait", "-o", "json");
    assertEquals(ExitCodes.OK, deployed.exitCode(), deployed.err());
    JsonNode status = new ObjectMapper().readTree(deployed.out());
    assertEquals("deploy/fake/json/doc", status.get("workflowId").asText());
    assertEquals("READY", status.get("phase").asText());
    assertTrue(deployed.err().contains("Started deploy deploy/fake/json/doc"), "progress on stderr");

    Path rendered = dir.resolve("rendered");
    CliRun render = CliRun.of("deploy", "--target", "slurm", "-f", graph("doc").toString(), "--out_dir",
        rendered.toString(), "-o", "json");
    assertEquals(ExitCodes.OK, render.exitCode(), render.err());
    JsonNode files = new ObjectMapper().readTree(render.out());
    assertEquals(rendered.toString(), files.get("outDir").asText());
    assertTrue(files.get("files").size() >= 3, render.out());

    Path bad = Files.writeString(dir.resolve("bad.yaml"), "version: 1\nname: b\ncomponents:\n  - name: w\n"
        + "    run_config: {input: http, output: dyn}\n    replica: 2\n");
    CliRun validate = CliRun.of("validate", "-f", bad.toString(), "-o", "json");
    assertEquals(ExitCodes.INVALID, validate.exitCode());
    JsonNode doc = new ObjectMapper().readTree(validate.out());
    assertFalse(doc.get("valid").asBoolean());
    JsonNode problem = doc.get("problems").get(0);
    assertEquals(List.of(bad.toString(), "6", "5", "components[0].replica"), List.of(problem.get("file").asText(),
        problem.get("line").asText(), problem.get("column").asText(), problem.get("path").asText()));
    assertTrue(problem.get("message").asText().contains("did you mean"), problem.toString());
    assertNull(doc.get("target").textValue());
  }

  private static List<JsonNode> rows(String json, String workflowId) throws Exception {
    List<JsonNode> rows = new java.util.ArrayList<>();
    for (JsonNode r : new ObjectMapper().readTree(json)) {
      if (r.get("workflowId").asText().equals(workflowId)) rows.add(r);
    }
    assertFalse(rows.isEmpty(), workflowId + " in " + json);
    return rows;
  }
}

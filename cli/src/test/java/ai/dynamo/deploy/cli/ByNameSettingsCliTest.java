package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.testing.fake.FakeTarget;
import ai.dynamo.deploy.worker.DeployRegistration;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.client.StartEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deploy found by name keeps the settings it was started with ({@code diff -f} and {@code deploy -f} again), flags
 * replace one setting each and say so; a place that never reached its target is not a place; the commands the
 * "deployed in N places" error suggests run as shown. Through {@link Main}, against a local service whose worker
 * serves the fake target (every fake setting counts in its component digests, as a partition does on Slurm).
 */
@Timeout(240)
class ByNameSettingsCliTest {
  static LocalService service;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    Path state = Files.createDirectories(dir.resolve("s"));
    // status's live check reads the target from the CLI, whose fake must see what the worker's ran
    System.setProperty(FakeTarget.STATE_DIR_PROPERTY, state.toString());
    service = LocalService.start(0, DeployRegistration.of(new FakeTarget(state)));
  }

  @AfterAll
  static void stop() {
    service.shutdown(Duration.ofSeconds(5));
    System.clearProperty(FakeTarget.STATE_DIR_PROPERTY);
  }

  static CliRun run(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--address", service.connection().address()));
    return CliRun.of(all.toArray(String[]::new));
  }

  static String graph(String name) throws Exception {
    return OperateByNameCliTest.graphIn(dir, name).toString();
  }

  @Test
  void diffAndDeployAgainByNameUseTheRecordedSettingsAndAFlagReplacesOne() throws Exception {
    String file = graph("keep");
    CliRun first = run("deploy", "--target", "fake", "--set", "location=keep-a", "--set", "fake.pollMillis=150",
        "-f", file, "--wait");
    assertEquals(ExitCodes.OK, first.exitCode(), first.out() + first.err());

    // The fake target keeps no per-component records (every component shows as an update): what is compared here
    // is where and with which settings; K8sOperateCliTest and SlurmOperateCliTest show an unchanged file unchanged.
    CliRun diff = run("deploy", "diff", "-f", file);
    assertTrue(diff.out().startsWith("diff keep -> fake@keep-a (live revision 1)"), diff.out() + diff.err());
    assertTrue(diff.err().contains("note: settings from the record of deploy/fake/keep-a/keep (run "), diff.err());
    assertTrue(diff.err().contains("): fake.pollMillis=150, location=keep-a"), diff.err());
    CliRun reset = run("deploy", "diff", "-f", file, "--reset-settings");
    assertTrue(reset.out().startsWith("diff keep -> fake@keep-a (live revision 1)"), reset.out() + reset.err());
    assertFalse(reset.err().contains("note:"), reset.err());

    CliRun again = run("deploy", "-f", file, "--wait");
    assertEquals(ExitCodes.OK, again.exitCode(), again.out() + again.err());
    assertTrue(again.out().contains("Started deploy deploy/fake/keep-a/keep"), again.out());
    assertEquals(Map.of("location", "keep-a", "fake.pollMillis", "150"), started("deploy/fake/keep-a/keep"));

    CliRun changed = run("deploy", "-f", file, "--target", "fake", "--set", "fake.pollMillis=200", "--wait");
    assertEquals(ExitCodes.OK, changed.exitCode(), changed.out() + changed.err());
    assertTrue(changed.err().contains("note: setting fake.pollMillis=200 from the command line replaces the recorded"
        + " fake.pollMillis=150"), changed.err());
    assertEquals(Map.of("location", "keep-a", "fake.pollMillis", "200"), started("deploy/fake/keep-a/keep"));

    CliRun reset2 = run("deploy", "-f", file, "--reset-settings", "--wait");
    assertEquals(ExitCodes.OK, reset2.exitCode(), reset2.out() + reset2.err());
    assertEquals(Map.of("location", "keep-a"), started("deploy/fake/keep-a/keep"), "--reset-settings: the place only");
  }

  @Test
  void aPlaceWhoseRunsNeverReachedTheTargetIsNotOneTheGraphIsDeployedIn() throws Exception {
    String file = graph("typo");
    assertEquals(ExitCodes.OK, run("deploy", "--target", "fake", "--set", "location=real-a", "-f", file, "--wait")
        .exitCode());
    CliRun typo = run("deploy", "--target", "fake", "--set", "location=typo-host", "--set",
        "fake.preflightFailure=PreflightFailed", "-f", file, "--wait");
    assertTrue(typo.exitCode() != ExitCodes.OK, typo.out() + typo.err());

    CliRun status = run("deploy", "status", "typo", "-o", "json");
    assertEquals(ExitCodes.OK, status.exitCode(), "one real place:\n" + status.out() + status.err());
    assertTrue(status.out().contains("\"workflowId\" : \"deploy/fake/real-a/typo\""), status.out());
    assertTrue(status.out().contains("\"state\" : \"READY\"") && status.out().contains("\"endpoint\" : \"fake@real-a\""),
        "the live check read the place the deploy reached: " + status.out());

    assertEquals(ExitCodes.OK, run("deploy", "--target", "fake", "--set", "location=real-b", "-f", file, "--wait")
        .exitCode());
    CliRun ambiguous = run("deploy", "history", "typo");
    assertEquals(ExitCodes.INVALID, ambiguous.exitCode(), ambiguous.out() + ambiguous.err());
    assertTrue(ambiguous.err().startsWith("error: typo is deployed in 2 places; say which:"), ambiguous.err());
    assertFalse(ambiguous.err().contains("typo-host"), ambiguous.err());
    List<String> rows = ambiguous.err().lines().skip(1).toList();
    assertEquals(2, rows.size(), ambiguous.err());
    for (String row : rows) {
      assertTrue(row.matches("  fake@real-[ab] +READY +dynamo deploy history typo --target fake --set location=real-[ab]"),
          row);
      // the suggested command runs as shown
      List<String> words = ShellWords.split(row.substring(row.indexOf("dynamo deploy ") + "dynamo ".length()));
      CliRun picked = run(words.toArray(String[]::new));
      assertEquals(ExitCodes.OK, picked.exitCode(), row + "\n" + picked.out() + picked.err());
    }
  }

  @Test
  void aGraphOnlyEverTriedAtAPlaceItNeverReachedIsStillFoundToSayWhy() throws Exception {
    String file = graph("onlytypo");
    run("deploy", "--target", "fake", "--set", "location=nowhere-typo", "--set",
        "fake.preflightFailure=PreflightFailed", "-f", file, "--wait");
    CliRun status = run("deploy", "status", "onlytypo");
    assertTrue(status.out().startsWith("workflow  deploy/fake/nowhere-typo/onlytypo"), status.out() + status.err());
    assertTrue(status.out().contains("FAILED"), status.out());
  }

  private static Map<String, String> started(String workflowId) {
    DeployRequest r = StartEvents.request(service.client(), workflowId, null);
    return r.target().settings();
  }
}

package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.dynamo.deploy.cli.daemon.DaemonRoute;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/** Which command lines the daemon runs ({@link DaemonRoute}), and that its list of deploy's verbs is Main's. */
class DaemonRouteTest {
  private static boolean routes(String line) {
    return DaemonRoute.routes(line.split(" "), Map.of());
  }

  @Test
  void aDeploysStartAndStatusWaitRunInTheDaemon() {
    for (String line : Set.of("deploy -f g.yaml", "deploy -f g.yaml --wait", "deploy --target fake -f g.yaml -o json",
        "deploy --file=g.yaml --wait", "deploy -fg.yaml", "deploy --file g.yaml --on-failure rollback",
        "deploy status demo", "deploy status demo --wait", "deploy list", "deploy history demo")) {
      assertEquals(true, routes(line), line);
    }
  }

  @Test
  void whatWritesFilesReadsStdinLogsOrIsAnotherVerbRunsInItsOwnProcess() {
    for (String line : Set.of("deploy -f g.yaml --out_dir o", "deploy -f g.yaml --out-dir=o", "deploy --debug -f g.yaml",
        "deploy -f - --wait", "deploy --target fake", "deploy -f", "deploy retry demo --wait", "deploy -f g.yaml retry",
        "deploy uninstall demo", "deploy logs demo -f", "deploy list --wait", "deploy history demo --wait",
        "deploy status demo --debug", "deploy diff -f g.yaml", "deploy -- -f g.yaml", "validate -f g.yaml")) {
      assertEquals(false, routes(line), line);
    }
    assertEquals(false, DaemonRoute.routes("deploy -f g.yaml".split(" "), Map.of(DaemonRoute.SWITCH_ENV, "off")));
  }

  @Test
  void theDaemonKnowsEveryVerbOfDeploy() {
    Set<String> names = Main.SUBVERBS.get(DeployCommand.class).stream()
        .map(c -> c.getAnnotation(Command.class).name()).collect(Collectors.toSet());
    assertEquals(names, DaemonRoute.ALL_DEPLOY_VERBS);
  }
}

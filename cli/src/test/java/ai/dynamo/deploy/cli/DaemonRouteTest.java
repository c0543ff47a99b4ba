package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.dynamo.deploy.cli.daemon.DaemonRoute;
import java.util.List;
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
  void theDecisionsUninstallAndDiffRunInTheDaemonWithWaitWhereTheyTakeIt() {
    for (String line : Set.of("deploy cancel demo", "deploy abort demo", "deploy retry demo",
        "deploy retry demo --wait",
        "deploy rollback demo --to-revision 2 --wait", "deploy uninstall demo --keep-history --wait",
        "deploy uninstall demo --target slurm --ssh-host login1", "deploy diff -f g.yaml --target k8s -n ns",
        "deploy diff --file=g.yaml", "deploy diff -f - --reset-settings", "deploy uninstall deploy/k8s/ctx/dev/demo")) {
      assertEquals(true, routes(line), line);
    }
  }

  @Test
  void whatWritesFilesReadsStdinLogsOrIsAnotherVerbRunsInItsOwnProcess() {
    for (String line : Set.of("deploy -f g.yaml --out_dir o", "deploy -f g.yaml --out-dir=o", "deploy --debug -f g.yaml",
        "deploy -f - --wait", "deploy --target fake", "deploy -f", "deploy -f g.yaml retry",
        "deploy logs demo -f", "deploy logs demo frontend", "deploy logs demo frontend --follow",
        "deploy list --wait", "deploy history demo --wait", "deploy cancel demo --wait", "deploy abort demo --wait",
        "deploy diff -f g.yaml --wait", "deploy status demo --debug", "deploy uninstall demo --wait --debug",
        "deploy retry --debug demo", "deploy -- -f g.yaml", "validate -f g.yaml")) {
      assertEquals(false, routes(line), line);
    }
    assertEquals(false, DaemonRoute.routes("deploy -f g.yaml".split(" "), Map.of(DaemonRoute.SWITCH_ENV, "off")));
  }

  @Test
  void aFileUnderDevOrProcIsTheProcesssOwnAndStaysInIt() {
    // /dev/stdin, a <(...) substitution's /dev/fd/63: in the daemon they would be the daemon's
    for (String line : Set.of("deploy -f /dev/stdin", "deploy diff -f /dev/fd/63", "deploy diff --file=/dev/stdin",
        "deploy diff -f/proc/self/fd/0", "deploy uninstall demo --target slurm --ssh-host h --ssh-config /dev/fd/63",
        "deploy status demo --kubeconfig /proc/self/fd/3", "deploy rollback demo --profile=/dev/stdin")) {
      assertEquals(false, routes(line), line);
    }
    for (Map<String, String> env : List.of(Map.of("KUBECONFIG", "/home/u/.kube/config:/dev/fd/63"),
        Map.of("TEMPORAL_CONFIG_FILE", "/dev/stdin"), Map.of("TEMPORAL_TLS_CLIENT_CERT_PATH", "/proc/self/fd/4"))) {
      assertEquals(false, DaemonRoute.routes("deploy cancel demo".split(" "), env), env.toString());
    }
    // a path that only contains such a directory is an ordinary file
    assertEquals(true, routes("deploy diff -f /home/u/dev/g.yaml"));
    // /dev/null is everyone's: "no ssh config", as ssh -F /dev/null (the local cluster's own flags say so)
    assertEquals(true, routes("deploy -f g.yaml --target slurm --ssh-host h --ssh-config /dev/null --wait"));
    assertEquals(true, routes("deploy status demo --ssh-config=/dev/null"));
    assertEquals(true, DaemonRoute.routes("deploy cancel demo".split(" "), Map.of("KUBECONFIG", "/home/u/dev/kube")));
  }

  @Test
  void theDaemonKnowsEveryVerbOfDeploy() {
    Set<String> names = Main.SUBVERBS.get(DeployCommand.class).stream()
        .map(c -> c.getAnnotation(Command.class).name()).collect(Collectors.toSet());
    assertEquals(names, DaemonRoute.ALL_DEPLOY_VERBS);
  }
}

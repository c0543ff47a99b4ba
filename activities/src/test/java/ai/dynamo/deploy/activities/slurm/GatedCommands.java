package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Remote commands whose end the test decides, with nothing timed: each records its start in {@code <name>.runs} in a
 * directory of the test's own on the cluster, then waits for the test's "go" file there. The test reads and writes that
 * directory through a connection of its own (the observer), which it opens and closes.
 */
final class GatedCommands {
  private final SshConnection observer;
  final String dir;

  /** A fresh directory {@code dynamo-tests/<name>-<uuid>} in the observer's home. */
  GatedCommands(SshConnection observer, String name) throws IOException {
    this.observer = observer;
    dir = observer.home() + "/dynamo-tests/" + name + "-" + UUID.randomUUID();
    observer.mkdirs(dir, 0700);
  }

  /** A command that records each start in {@code name}.runs, then waits for the test's "go" and prints {@code name}. */
  String waiting(String name) {
    String d = Shell.quote(dir);
    return "echo x >> " + d + "/" + name + ".runs; until [ -e " + d + "/go ]; do sleep 0.1; done; echo " + name;
  }

  /** How often {@code name} started, as its remote file tells (one line per start). */
  int runs(String name) throws IOException {
    return (int) observer.readFile(dir + "/" + name + ".runs").orElse("").lines().count();
  }

  /** How many starts {@code names} made in all. */
  int runs(List<String> names) throws IOException {
    int n = 0;
    for (String name : names) n += runs(name);
    return n;
  }

  /** Each of {@code commands}, the {@link #waiting} command of the name at its index, ended printing that name. */
  static void assertEachPrintedItsName(List<String> names, List<Future<RemoteShell.Result>> commands)
      throws Exception {
    for (int i = 0; i < names.size(); i++) {
      assertEquals(names.get(i), commands.get(i).get(60, TimeUnit.SECONDS).stdout().strip());
    }
  }

  /** Lets every waiting command end. */
  void go() throws IOException {
    assertTrue(observer.run("touch " + Shell.quote(dir + "/go"), RemoteShell.Retry.SAFE).ok());
  }

  /** Lets any command still waiting end, then removes the directory. */
  void release() throws IOException {
    observer.run("touch " + Shell.quote(dir + "/go") + "; sleep 0.5; rm -rf -- " + Shell.quote(dir),
        RemoteShell.Retry.SAFE);
  }
}

package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.slurm.RemoteShell;
import ai.dynamo.deploy.testing.FreePorts;
import ai.dynamo.deploy.testing.slurm.LocalSlurm;
import ai.dynamo.deploy.testing.slurm.LocalSlurmCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dynamo deploy --target slurm --wait} end to end on the real local cluster: the CLI, a local Temporal
 * service with the production worker registration (so the Slurm target is the one users get), SSH with host-key
 * verification, real sbatch, and a 2-node group whose job log shows the leader ready before the workers started.
 */
@Timeout(240)
@ExtendWith(LocalSlurm.class)
class SlurmDeployCliTest {
  @TempDir Path dir;
  private SlurmCliSession slurm;
  /** The group leader's port in the last graph written. */
  private int leaderPort;

  @BeforeEach
  void setUp(LocalSlurmCluster cluster) throws Exception {
    slurm = new SlurmCliSession(cluster, dir, "cli");
  }

  @AfterEach
  void tearDown() throws Exception {
    slurm.close();
  }

  private Path graph(String name) throws Exception {
    return graph(name, 1, FreePorts.take(), FreePorts.take());
  }

  /** The graph with the group's startup delay {@code delay} (a change to the group alone) on the given ports. */
  private Path graph(String name, int delay, int frontPort, int groupPort) throws Exception {
    leaderPort = groupPort;
    return slurm.graph(name, slurm.frontend(frontPort), String.join("\n",
        "  - name: group",
        "    cmd: [python3, " + slurm.standin + "]",
        "    run_config:",
        "      input: dyn://cli.large.generate",
        "      output: echo",
        "      startup_delay: " + delay,
        "      num_nodes: 2",
        "      leader_addr: \"127.0.0.1:" + leaderPort + "\"",
        "    resources: {cpu: 1, memory: 128Mi}"));
  }

  private CliRun deploy(Path graph, Path knownHosts) {
    return slurm.deploy(graph, slurm.directLogin(knownHosts));
  }

  @Test
  void deployWaitReachesReadyWithTheLeaderBeforeItsWorkers() throws Exception {
    String name = "cli-" + System.nanoTime();
    CliRun run = deploy(graph(name), slurm.knownHosts());
    String all = run.out() + run.err();
    assertEquals(ExitCodes.OK, run.exitCode(), all);
    // The location in the deploy ID is the resolved login: user@host:port.
    assertTrue(run.out().contains("deploy/slurm/" + slurm.login() + "/" + name), all);
    assertTrue(all.contains("READY"), all);
    // The CLI polls progress once a second. It always shows the leader's wait; the workers' wait can be shorter than
    // a poll (their steps start within a second of the leader being ready), so it is shown on most runs, not all:
    // when it is, it comes between the leader's wait and READY. The job log below proves the order either way.
    int leaderWait = all.indexOf("group: WAITING_LEADER");
    int workersWait = all.indexOf("group: WAITING_WORKERS");
    int groupReady = all.indexOf("group: READY");
    assertTrue(leaderWait >= 0 && groupReady > leaderWait
        && (workersWait < 0 || workersWait > leaderWait && workersWait < groupReady),
        "progress shows the leader wait, then (if a poll caught it) the workers', then READY: " + all);

    // The job's own log, on the cluster: the leader listened before the workers were started.
    String log = slurm.ssh.run("cat " + slurm.ssh.home() + "/" + slurm.remoteDir + "/" + name
        + "/rev-1/group-0/slurm-*.out", RemoteShell.Retry.SAFE).stdout();
    int listening = log.indexOf("listening on port " + leaderPort);
    int workersStarted = log.indexOf("workers started");
    assertTrue(listening >= 0 && workersStarted > listening, log);
  }

  @Test
  void anUnknownHostKeyIsRefusedWithItsFingerprintAndNothingIsSubmitted() throws Exception {
    String name = "cli-hostkey-" + System.nanoTime();
    Path emptyKnownHosts = Files.writeString(dir.resolve("known_hosts"), "");
    CliRun run = deploy(graph(name), emptyKnownHosts);
    String all = run.out() + run.err();
    assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), all);
    assertTrue(all.contains("SHA256:"), "the message shows the fingerprint to check: " + all);
    assertFalse(all.contains("Exception"), all);
    assertEquals("", Files.readString(emptyKnownHosts), "the unknown key was not trusted behind the user's back");
    assertEquals("", slurm.queue(null, name + ".frontend.0", name + ".group.0"), "nothing submitted");
  }

  private CliRun diff(Path graph, String... flags) {
    List<String> all = new ArrayList<>(slurm.directLogin(slurm.knownHosts()));
    all.addAll(List.of(flags));
    return slurm.diff(graph, all);
  }

  @Test
  void diffShowsWhatADeployWouldDoAndStrategyRecreateReplacesTheChangedGroupOnly() throws Exception {
    String name = "cli-upd-" + System.nanoTime();
    int frontPort = FreePorts.take();
    int groupPort = FreePorts.take();
    Path v1 = graph(name, 1, frontPort, groupPort);
    CliRun first = deploy(v1, slurm.knownHosts());
    assertEquals(ExitCodes.OK, first.exitCode(), first.out() + first.err());

    CliRun same = diff(v1);
    assertEquals(ExitCodes.OK, same.exitCode(), same.out() + same.err());
    assertTrue(same.out().contains("live revision 1): 2 unchanged"), same.out());
    assertFalse(same.out().contains("+++"), same.out());

    Path v2 = graph(name, 2, frontPort, groupPort);
    CliRun changed = diff(v2, "--strategy", "recreate");
    assertEquals(ExitCodes.DEPLOY_FAILED, changed.exitCode(), "1: a deploy would change something\n" + changed.out()
        + changed.err());
    assertTrue(changed.out().matches("(?s).*\\n  group +update \\(recreate\\) +spec changed; --strategy recreate.*"),
        changed.out());
    assertTrue(changed.out().matches("(?s).*\\n  frontend +unchanged .*"), changed.out());
    assertTrue(changed.out().contains("--- live/rev-1/group-0/group-0.sbatch\n+++ new/group-0/group-0.sbatch"),
        changed.out());
    List<String> lines = changed.out().lines().toList();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("-") && !l.startsWith("---") && l.contains("startup")),
        changed.out());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("+") && !l.startsWith("+++") && l.contains("startup")),
        changed.out());

    CliRun invalid = diff(v2, "--strategy", "sideways");
    assertEquals(ExitCodes.INVALID, invalid.exitCode(), invalid.err());
    assertTrue(invalid.err().contains("--strategy: \"sideways\" is not an update strategy (valid: auto, recreate,"
        + " blue-green)"), invalid.err());
    CliRun unknown = diff(v2, "--set", "strategy.nosuch=recreate");
    assertEquals(ExitCodes.INVALID, unknown.exitCode(), unknown.err());
    assertTrue(unknown.err().contains("the graph has no component \"nosuch\""), unknown.err());

    List<String> flags = new ArrayList<>(slurm.directLogin(slurm.knownHosts()));
    flags.addAll(List.of("--strategy", "recreate"));
    CliRun updated = slurm.deploy(v2, flags);
    String all = updated.out() + updated.err();
    assertEquals(ExitCodes.OK, updated.exitCode(), all);
    assertTrue(all.contains("[updated (recreate)]") && all.contains("[unchanged]"), all);
    assertEquals(ExitCodes.OK, diff(v2).exitCode(), "nothing left to do");
  }
}

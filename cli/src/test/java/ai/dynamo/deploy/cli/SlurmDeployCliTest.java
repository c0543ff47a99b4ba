package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.slurm.RemoteShell;
import ai.dynamo.deploy.testing.slurm.LocalSlurm;
import ai.dynamo.deploy.testing.slurm.LocalSlurmCluster;
import java.nio.file.Files;
import java.nio.file.Path;
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
    leaderPort = SlurmCliSession.nextPort();
    return slurm.graph(name, slurm.frontend(SlurmCliSession.nextPort()), String.join("\n",
        "  - name: group",
        "    cmd: [python3, " + slurm.standin + "]",
        "    run_config:",
        "      input: dyn://cli.large.generate",
        "      output: echo",
        "      startup_delay: 1",
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
}

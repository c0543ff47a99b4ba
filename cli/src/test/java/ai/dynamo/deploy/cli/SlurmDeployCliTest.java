package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.slurm.RemoteShell;
import ai.dynamo.deploy.activities.slurm.SshConnection;
import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.worker.DeployRegistration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dynamo deploy --target slurm --wait} end to end on the real local cluster: the CLI, a local Temporal
 * service with the production worker registration (so the Slurm target is the one users get), SSH with host-key
 * verification, real sbatch, and a 2-node group whose job log shows the leader ready before the workers started.
 */
@Timeout(240)
class SlurmDeployCliTest {
  // Ports away from the demo graph (18701-18702) and the activities tests (18800-19399); all nodes share one host.
  private static final int BASE_PORT = 19500 + (int) (ProcessHandle.current().pid() % 50) * 4;

  @TempDir Path dir;
  private SlurmLogin login;
  private SshConnection ssh;
  private LocalService service;
  private String remoteDir;
  private String standin;
  private final List<String> graphs = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    login = SlurmLogin.open();
    ssh = login.ssh;
    standin = login.standin;
    remoteDir = "dynamo-tests/cli/" + System.nanoTime();
    service = LocalService.start(0, DeployRegistration.production());
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      service.shutdown(Duration.ofSeconds(5));
      List<String> jobs = new ArrayList<>();
      for (String g : graphs) jobs.addAll(List.of(g + ".frontend.0", g + ".group.0"));
      login.cleanUp(remoteDir, jobs);
    } finally {
      login.close();
    }
  }

  private String host() {
    return login.host();
  }

  private Path graph(String name) throws Exception {
    graphs.add(name);
    return Files.writeString(dir.resolve(name + ".yaml"), String.join("\n",
        "version: 1",
        "name: " + name,
        "components:",
        "  - name: frontend",
        "    cmd: [python3, " + standin + "]",
        "    run_config: {input: http, output: dyn}",
        "    parameters: {port: " + BASE_PORT + "}",
        "    readiness: {http: {port: " + BASE_PORT + ", path: /health}}",
        "    resources: {cpu: 1, memory: 128Mi}",
        "  - name: group",
        "    cmd: [python3, " + standin + "]",
        "    run_config:",
        "      input: dyn://cli.large.generate",
        "      output: echo",
        "      startup_delay: 1",
        "      num_nodes: 2",
        "      leader_addr: \"127.0.0.1:" + (BASE_PORT + 1) + "\"",
        "    resources: {cpu: 1, memory: 128Mi}",
        ""));
  }

  private CliRun deploy(Path graph, Path knownHosts) {
    List<String> args = new ArrayList<>(List.of("deploy", "--target", "slurm", "-f", graph.toString(), "--wait",
        "--timeout", "3m", "--address", service.connection().address()));
    args.addAll(login.flags(remoteDir, knownHosts));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void deployWaitReachesReadyWithTheLeaderBeforeItsWorkers() throws Exception {
    String name = "cli-" + System.nanoTime();
    CliRun run = deploy(graph(name), login.knownHosts());
    String all = run.out() + run.err();
    assertEquals(ExitCodes.OK, run.exitCode(), all);
    assertTrue(run.out().contains("deploy/slurm/" + host() + "/" + name), all);
    assertTrue(all.contains("READY"), all);
    int leaderWait = all.indexOf("group: WAITING_LEADER");
    int workersWait = all.indexOf("group: WAITING_WORKERS");
    assertTrue(leaderWait >= 0 && workersWait > leaderWait, "progress shows the leader wait, then the workers': " + all);

    // The job's own log, on the cluster: the leader listened before the workers were started.
    String log = ssh.run("cat " + ssh.home() + "/" + remoteDir + "/" + name + "/rev-1/group-0/slurm-*.out",
        RemoteShell.Retry.SAFE).stdout();
    int listening = log.indexOf("listening on port " + (BASE_PORT + 1));
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
    String jobs = ssh.run("squeue --noheader --name=" + name + ".frontend.0," + name + ".group.0",
        RemoteShell.Retry.SAFE).stdout();
    assertEquals("", jobs.strip(), "nothing submitted");
  }
}

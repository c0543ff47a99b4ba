package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.slurm.RemoteShell;
import ai.dynamo.deploy.activities.slurm.SshConnection;
import ai.dynamo.deploy.activities.slurm.SshEndpoint;
import ai.dynamo.deploy.activities.slurm.SshOptions;
import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.ir.ExampleGraphs;
import ai.dynamo.deploy.testing.slurm.LocalSlurmCluster;
import ai.dynamo.deploy.worker.DeployRegistration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
  private LocalSlurmCluster cluster;
  private SshConnection ssh;
  private LocalService service;
  private String remoteDir;
  private String standin;
  private final List<String> graphs = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    cluster = LocalSlurmCluster.require();
    ssh = new SshConnection(
        new SshEndpoint("local", host(), port(), cluster.user(), List.of(Path.of(cluster.setting("DYNAMO_SLURM_SSH_KEY")))),
        new SshOptions(knownHosts(), false, null, Duration.ofSeconds(10), Duration.ofSeconds(5)));
    remoteDir = "dynamo-tests/cli/" + System.nanoTime();
    standin = ssh.home() + "/dynamo-standin/dynamo-standin.py";
    ssh.mkdirs(ssh.home() + "/dynamo-standin", 0755);
    ssh.writeFile(standin, Files.readAllBytes(ExampleGraphs.repositoryRoot().resolve("examples/slurm/dynamo-standin.py")), 0755);
    service = LocalService.start(0, DeployRegistration.production());
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      service.shutdown(Duration.ofSeconds(5));
      // scancel takes one job name per --name (unlike squeue), so one call per job.
      for (String g : graphs) {
        for (String job : List.of(g + ".frontend.0", g + ".group.0")) {
          ssh.run("scancel --name=" + job, RemoteShell.Retry.SAFE);
        }
      }
      ssh.run("rm -rf -- " + ssh.home() + "/" + remoteDir, RemoteShell.Retry.SAFE);
    } finally {
      ssh.close();
    }
  }

  private String host() {
    return cluster.setting("DYNAMO_SLURM_SSH_HOST");
  }

  private int port() {
    return Integer.parseInt(cluster.setting("DYNAMO_SLURM_SSH_PORT"));
  }

  private Path knownHosts() {
    return Path.of(cluster.setting("DYNAMO_SLURM_KNOWN_HOSTS"));
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
    return CliRun.of("deploy", "--target", "slurm", "-f", graph.toString(), "--wait", "--timeout", "3m",
        "--address", service.connection().address(),
        "--ssh-host", cluster.user() + "@" + host() + ":" + port(),
        "--ssh-key", cluster.setting("DYNAMO_SLURM_SSH_KEY"), "--known-hosts", knownHosts.toString(),
        "--partition", cluster.partition(), "--time", "00:05:00", "--remote-dir", remoteDir);
  }

  @Test
  void deployWaitReachesReadyWithTheLeaderBeforeItsWorkers() throws Exception {
    String name = "cli-" + System.nanoTime();
    CliRun run = deploy(graph(name), knownHosts());
    String all = run.out() + run.err();
    assertEquals(ExitCodes.OK, run.exitCode(), all);
    // The location in the deploy ID is the resolved login: user@host:port.
    assertTrue(run.out().contains("deploy/slurm/" + cluster.user() + "@" + host() + ":" + port() + "/" + name), all);
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

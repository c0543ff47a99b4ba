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
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reaching the login node through {@code dynamo deploy --target slurm --wait} on the real local cluster: a deploy
 * through the bastion ({@code ProxyJump} in an ssh config, the login node refusing direct connections) to READY,
 * and the error corpus: each way of not getting in is exit 4, quickly, with a message that says what to do, and
 * nothing submitted.
 */
@Timeout(300)
class SlurmReachCliTest {
  // Ports in this suite's own range (14000-14999); all nodes share one host.
  private static final int PORT = 14400 + (int) (ProcessHandle.current().pid() % 100) * 4;

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
    ssh = new SshConnection(new SshEndpoint("local", cluster.setting("DYNAMO_SLURM_SSH_HOST"),
        Integer.parseInt(cluster.setting("DYNAMO_SLURM_SSH_PORT")), cluster.user(), List.of(key())),
        new SshOptions(knownHosts(), false, null, Duration.ofSeconds(10), Duration.ofSeconds(5)));
    remoteDir = "dynamo-tests/reach/" + System.nanoTime();
    standin = ssh.home() + "/dynamo-standin/dynamo-standin.py";
    ssh.mkdirs(ssh.home() + "/dynamo-standin", 0755);
    ssh.writeFile(standin, Files.readAllBytes(ExampleGraphs.repositoryRoot().resolve("examples/slurm/dynamo-standin.py")), 0755);
    service = LocalService.start(0, DeployRegistration.production());
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      service.shutdown(Duration.ofSeconds(5));
      for (String g : graphs) ssh.run("scancel --name=" + g + ".frontend.0", RemoteShell.Retry.SAFE);
      ssh.run("rm -rf -- " + ssh.home() + "/" + remoteDir, RemoteShell.Retry.SAFE);
    } finally {
      ssh.close();
    }
  }

  private Path key() {
    return Path.of(cluster.setting("DYNAMO_SLURM_SSH_KEY"));
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
        "    parameters: {port: " + PORT + "}",
        "    readiness: {http: {port: " + PORT + ", path: /health}}",
        "    resources: {cpu: 1, memory: 128Mi}",
        ""));
  }

  private CliRun deploy(Path graph, String... target) {
    List<String> args = new ArrayList<>(List.of("deploy", "--target", "slurm", "-f", graph.toString(), "--wait",
        "--timeout", "2m", "--address", service.connection().address(), "--partition", cluster.partition(),
        "--time", "00:05:00"));
    args.addAll(List.of(target));
    if (!args.contains("--remote-dir")) args.addAll(List.of("--remote-dir", remoteDir));
    return CliRun.of(args.toArray(String[]::new));
  }

  private String direct() {
    return cluster.user() + "@" + cluster.setting("DYNAMO_SLURM_SSH_HOST") + ":" + cluster.setting("DYNAMO_SLURM_SSH_PORT");
  }

  @Test
  void deployWaitThroughTheBastionReachesReady() throws Exception {
    String name = "reach-" + System.nanoTime();
    CliRun run = deploy(graph(name), "--ssh-host", cluster.setting("DYNAMO_SLURM_SSH_CONFIG_ALIAS"),
        "--ssh-config", cluster.setting("DYNAMO_SLURM_SSH_CONFIG"));
    String all = run.out() + run.err();
    assertEquals(ExitCodes.OK, run.exitCode(), all);
    String location = cluster.user() + "@127.0.0.2:" + cluster.setting("DYNAMO_SLURM_INNER_SSH_PORT");
    assertTrue(run.out().contains("deploy/slurm/" + location + "/" + name), "the alias resolves to its login node: " + all);
    assertTrue(all.contains("READY"), all);
    String jobs = ssh.run("squeue --noheader --format=%T --name=" + name + ".frontend.0", RemoteShell.Retry.SAFE).stdout();
    assertEquals("RUNNING", jobs.strip(), "the job the deploy submitted through the bastion runs");
  }

  @Test
  void everyWayOfNotGettingInIsExit4SayingWhatToDoAndSubmitsNothing() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort(); // free now, closed once the socket is
    }
    Path deadBastion = Files.writeString(dir.resolve("config-dead-bastion"),
        Files.readString(Path.of(cluster.setting("DYNAMO_SLURM_SSH_CONFIG")))
            .replace("Port " + cluster.setting("DYNAMO_SLURM_BASTION_PORT"), "Port " + closed));
    Path stranger = dir.resolve("stranger");
    exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger.toString());
    Path otherKey = dir.resolve("other-host-key");
    exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey.toString());
    Path changedKnownHosts = Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:"
        + cluster.setting("DYNAMO_SLURM_SSH_PORT") + " ssh-ed25519 " + Files.readString(Path.of(otherKey + ".pub")).split(" ")[1] + "\n");

    record Case(String what, List<String> flags, List<String> expected) {}
    List<Case> cases = List.of(
        new Case("jump host unreachable", List.of("--ssh-host", "dls-login", "--ssh-config", deadBastion.toString()),
            List.of("cannot reach jump host", "127.0.0.1:" + closed, "hop 1 of 2")),
        new Case("login refused", List.of("--ssh-host", direct(), "--ssh-key", stranger.toString(),
                "--known-hosts", knownHosts().toString()),
            List.of("refused. Tried publickey with key file(s) [" + stranger + "]", "the server accepts: publickey")),
        new Case("host key changed", List.of("--ssh-host", direct(), "--ssh-key", key().toString(),
                "--known-hosts", changedKnownHosts.toString()),
            List.of("has CHANGED", changedKnownHosts + ":1", "SHA256:", "ssh-keygen -R")),
        new Case("remote directory not writable", List.of("--ssh-host", direct(), "--ssh-key", key().toString(),
                "--known-hosts", knownHosts().toString(), "--remote-dir", "/root/dynamo-forbidden"),
            List.of("cannot write the remote directory /root/dynamo-forbidden", "--remote-dir")));
    for (Case c : cases) {
      String name = "reach-err-" + System.nanoTime();
      long start = System.nanoTime();
      CliRun run = deploy(graph(name), c.flags().toArray(String[]::new));
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      String all = run.out() + run.err();
      assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), c.what() + ": " + all);
      for (String e : c.expected()) assertTrue(all.contains(e), c.what() + " should say \"" + e + "\": " + all);
      assertFalse(all.contains("Exception"), c.what() + ": " + all);
      assertTrue(seconds < 60, c.what() + " took " + seconds + " s: a first contact that fails is not retried for minutes");
      String jobs = ssh.run("squeue --noheader --name=" + name + ".frontend.0", RemoteShell.Retry.SAFE).stdout();
      assertEquals("", jobs.strip(), c.what() + ": nothing submitted");
    }
  }

  private static void exec(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + ": " + out);
  }
}

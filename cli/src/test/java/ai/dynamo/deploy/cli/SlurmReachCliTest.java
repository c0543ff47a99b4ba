package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.testing.FreePorts;
import ai.dynamo.deploy.testing.slurm.LocalSlurm;
import ai.dynamo.deploy.testing.slurm.LocalSlurmCluster;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reaching the login node through {@code dynamo deploy --target slurm --wait} on the real local cluster: a deploy
 * through the bastion ({@code ProxyJump} in an ssh config, the login node refusing direct connections) to READY,
 * and the error corpus: each way of not getting in is exit 4, quickly, with a message that says what to do, and
 * nothing submitted.
 */
@Timeout(300)
@ExtendWith(LocalSlurm.class)
class SlurmReachCliTest {
  @TempDir Path dir;
  private LocalSlurmCluster cluster;
  private SlurmCliSession slurm;

  @BeforeEach
  void setUp(LocalSlurmCluster local) throws Exception {
    cluster = local;
    slurm = new SlurmCliSession(cluster, dir, "reach");
  }

  @AfterEach
  void tearDown() throws Exception {
    slurm.close();
  }

  private Path graph(String name) throws Exception {
    return slurm.graph(name, slurm.frontend(FreePorts.take()));
  }

  private CliRun deploy(Path graph, String... target) {
    return slurm.deploy(graph, List.of(target));
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
    assertEquals("RUNNING", slurm.queue("%T", name + ".frontend.0"), "the job the deploy submitted through the bastion runs");
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
        new Case("login refused", List.of("--ssh-host", slurm.login(), "--ssh-key", stranger.toString(),
                "--known-hosts", slurm.knownHosts().toString()),
            List.of("refused. Tried publickey with key file(s) [" + stranger + "]", "the server accepts: publickey")),
        new Case("host key changed", slurm.directLogin(changedKnownHosts),
            List.of("has CHANGED", changedKnownHosts + ":1", "SHA256:", "ssh-keygen -R")),
        new Case("remote directory not writable", List.of("--ssh-host", slurm.login(), "--ssh-key",
                slurm.key().toString(), "--known-hosts", slurm.knownHosts().toString(), "--remote-dir",
                "/root/dynamo-forbidden"),
            List.of("cannot write the remote directory /root/dynamo-forbidden", "--remote-dir")));
    for (Case c : cases) {
      String name = "reach-err-" + System.nanoTime();
      long start = System.nanoTime();
      CliRun run = slurm.deploy(graph(name), c.flags());
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      String all = run.out() + run.err();
      assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), c.what() + ": " + all);
      for (String e : c.expected()) assertTrue(all.contains(e), c.what() + " should say \"" + e + "\": " + all);
      assertFalse(all.contains("Exception"), c.what() + ": " + all);
      assertTrue(seconds < 60, c.what() + " took " + seconds + " s: a first contact that fails is not retried for minutes");
      assertEquals("", slurm.queue(null, name + ".frontend.0"), c.what() + ": nothing submitted");
    }
  }

  private static void exec(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + ": " + out);
  }
}

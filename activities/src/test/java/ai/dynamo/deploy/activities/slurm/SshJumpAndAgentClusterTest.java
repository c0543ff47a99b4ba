package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.testing.slurm.LocalSlurm;
import ai.dynamo.deploy.testing.slurm.LocalSlurmCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local cluster's bastion (127.0.0.1) and the login node behind it (127.0.0.2, which refuses everyone but the
 * bastion's forwarding), with a real {@code ssh-agent} holding a passphrase-protected key: ProxyJump through sshj's
 * direct-tcpip, a host key check on every hop, reconnecting the whole chain, and agent authentication with no
 * passphrase anywhere in the worker.
 */
@ExtendWith(LocalSlurm.class)
class SshJumpAndAgentClusterTest {
  @TempDir Path tmp;
  LocalSlurmCluster cluster;
  Path knownHosts;
  Path clientConfig;
  Process agent;
  Path agentSocket;

  @BeforeEach
  void setUp(LocalSlurmCluster local) {
    cluster = local;
    knownHosts = Path.of(cluster.setting("DYNAMO_SLURM_KNOWN_HOSTS"));
    clientConfig = Path.of(cluster.setting("DYNAMO_SLURM_SSH_CONFIG"));
  }

  @AfterEach
  void stopAgent() throws InterruptedException {
    if (agent != null) {
      agent.destroy();
      agent.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private SshEndpoint viaBastion(SshEndpoints.Overrides overrides) throws IOException {
    SshConfigFile config = SshConfigFile.read(clientConfig);
    return new SshEndpoints(config, overrides, tmp.toString(), "nobody").resolveForConnection("dls-login");
  }

  private static SshOptions options(Path agentSocket) {
    return new SshOptions(Path.of("/nonexistent/known_hosts"), false, null, Duration.ofSeconds(10),
        Duration.ofSeconds(5), agentSocket);
  }

  private int innerPort() {
    return Integer.parseInt(cluster.setting("DYNAMO_SLURM_INNER_SSH_PORT"));
  }

  @Test
  void theLoginNodeIsReachedThroughTheBastionAndOnlyThroughIt() throws Exception {
    SshEndpoint ep = viaBastion(new SshEndpoints.Overrides(null, null, false));
    assertEquals(1, ep.jumps().size());
    assertEquals(cluster.setting("DYNAMO_SLURM_BASTION_USER") + "@127.0.0.1:" + cluster.setting("DYNAMO_SLURM_BASTION_PORT"),
        ep.jumps().get(0).display());
    try (SshConnection ssh = new SshConnection(ep, options(null))) {
      RemoteShell.Result r = ssh.run("whoami; echo $SSH_CONNECTION", RemoteShell.Retry.SAFE);
      String[] lines = r.stdout().strip().split("\n");
      assertEquals(cluster.user(), lines[0]);
      assertTrue(lines[1].endsWith("127.0.0.2 " + innerPort()), "the session is on the inner login node: " + r.stdout());
      assertTrue(ssh.run("sinfo -h -o %P", RemoteShell.Retry.SAFE).stdout().contains(cluster.partition()));
    }
    // The same login node without the jump: refused at TCP level, and the message names it.
    SshEndpoint direct = new SshEndpoint("inner", "127.0.0.2", innerPort(), cluster.user(),
        List.of(Path.of(cluster.setting("DYNAMO_SLURM_SSH_KEY"))));
    SlurmError e = assertThrows(SlurmError.class,
        () -> new SshConnection(direct, ClusterFixture.options(knownHosts, false)).open());
    assertEquals(SlurmError.Kind.UNREACHABLE, e.kind());
    assertTrue(e.getMessage().contains("127.0.0.2:" + innerPort()), e.getMessage());
  }

  @Test
  void everyHopsHostKeyIsVerified() throws Exception {
    String bastionPort = cluster.setting("DYNAMO_SLURM_BASTION_PORT");
    Path withoutBastion = Files.write(tmp.resolve("kh-no-bastion"), Files.readAllLines(knownHosts).stream()
        .filter(l -> !l.startsWith("[127.0.0.1]:" + bastionPort + " ")).toList());
    SlurmError unknown = assertThrows(SlurmError.class, () -> new SshConnection(
        viaBastion(new SshEndpoints.Overrides(null, withoutBastion, false)), options(null)).open());
    assertEquals(SlurmError.Kind.UNKNOWN_HOST_KEY, unknown.kind());
    assertTrue(unknown.getMessage().contains("[127.0.0.1]:" + bastionPort)
        && unknown.getMessage().contains(fingerprint("sshd/ssh_host_ed25519_key.bastion.pub")), unknown.getMessage());

    // The inner node's line replaced by another key: CHANGED, with the file and line of the recorded key.
    Path other = tmp.resolve("other");
    exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString());
    String otherKey = Files.readString(tmp.resolve("other.pub")).strip().split(" ")[1];
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(knownHosts));
    int innerLine = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("[127.0.0.2]:" + innerPort() + " ")) {
        lines.set(i, "[127.0.0.2]:" + innerPort() + " ssh-ed25519 " + otherKey);
        innerLine = i + 1;
      }
    }
    Path changedInner = Files.write(tmp.resolve("kh-changed"), lines);
    SlurmError changed = assertThrows(SlurmError.class, () -> new SshConnection(
        viaBastion(new SshEndpoints.Overrides(null, changedInner, true)), options(null)).open());
    assertEquals(SlurmError.Kind.CHANGED_HOST_KEY, changed.kind());
    assertTrue(changed.getMessage().contains(changedInner + ":" + innerLine), changed.getMessage());
    assertTrue(changed.getMessage().contains(fingerprint("sshd/ssh_host_ed25519_key.inner.pub")), changed.getMessage());
  }

  @Test
  void aDroppedHopReconnectsTheWholeChain() throws Exception {
    try (SshConnection ssh = new SshConnection(viaBastion(new SshEndpoints.Overrides(null, null, false)), options(null))) {
      String first = ssh.run("echo $SSH_CONNECTION", RemoteShell.Retry.SAFE).stdout().strip();
      ssh.dropHopForTest(0); // the bastion connection goes away, as a network failure would take it
      String second = ssh.run("echo $SSH_CONNECTION", RemoteShell.Retry.SAFE).stdout().strip();
      assertTrue(second.endsWith("127.0.0.2 " + innerPort()), second);
      assertNotEquals(first, second, "a new chain (new forwarded connection) carries the command");
    }
  }

  @Test
  void aProtectedKeyWorksThroughTheAgentWithNoPassphraseInTheWorker() throws Exception {
    Path protectedKey = Path.of(cluster.setting("DYNAMO_SLURM_SSH_PROTECTED_KEY"));
    SlurmError noAgent = assertThrows(SlurmError.class, () -> new SshConnection(endpointWithKey(protectedKey),
        ClusterFixture.options(knownHosts, false)).open());
    assertTrue(noAgent.getMessage().contains(SshOptions.PASSPHRASE_ENV), noAgent.getMessage());

    startAgent();
    addToAgent(protectedKey, Files.readString(Path.of(cluster.setting("DYNAMO_SLURM_SSH_PROTECTED_KEY_PASSPHRASE_FILE"))).strip());
    try (SshConnection ssh = new SshConnection(endpointWithKey(protectedKey),
        ClusterFixture.options(knownHosts, false).withAgent(agentSocket))) {
      assertEquals(cluster.user(), ssh.run("whoami", RemoteShell.Retry.SAFE).stdout().strip());
    }
    // Both hops of the chain log in with the agent's key: IdentityAgent in the config, IdentitiesOnly with the
    // protected key's file, which the worker cannot decrypt (so only the agent can have signed).
    Path config = Files.writeString(tmp.resolve("config"), String.join("\n",
        "Host dls-bastion",
        "  HostName 127.0.0.1",
        "  Port " + cluster.setting("DYNAMO_SLURM_BASTION_PORT"),
        "  User " + cluster.setting("DYNAMO_SLURM_BASTION_USER"),
        "Host dls-login",
        "  HostName 127.0.0.2",
        "  Port " + innerPort(),
        "  User " + cluster.user(),
        "  ProxyJump dls-bastion",
        "Host dls-*",
        "  IdentityAgent " + agentSocket,
        "  IdentityFile " + protectedKey,
        "  IdentitiesOnly yes",
        "  UserKnownHostsFile " + knownHosts,
        ""));
    SshEndpoint ep = new SshEndpoints(SshConfigFile.read(config), new SshEndpoints.Overrides(null, null, false),
        tmp.toString(), "nobody").resolve("dls-login");
    try (SshConnection ssh = new SshConnection(ep, options(null))) {
      assertEquals(cluster.user(), ssh.run("whoami", RemoteShell.Retry.SAFE).stdout().strip());
    }
  }

  @Test
  void aRefusedLoginSaysWhatWasTriedAndWhatTheServerAccepts() throws Exception {
    Path stranger = tmp.resolve("stranger");
    exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "stranger-key", "-f", stranger.toString());
    startAgent();
    addToAgent(stranger, null);
    Path unknownFile = tmp.resolve("unknown");
    exec("ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", unknownFile.toString());
    SlurmError e = assertThrows(SlurmError.class, () -> new SshConnection(endpointWithKey(unknownFile),
        ClusterFixture.options(knownHosts, false).withAgent(agentSocket)).open());
    assertEquals(SlurmError.Kind.AUTHENTICATION_REFUSED, e.kind());
    String m = e.getMessage();
    assertTrue(m.contains("ssh-agent " + agentSocket) && m.contains("stranger-key") && m.contains("SHA256:"), m);
    assertTrue(m.contains(unknownFile.toString()) && m.contains("the server accepts: publickey"), m);
  }

  private SshEndpoint endpointWithKey(Path key) {
    return new SshEndpoint("local", cluster.setting("DYNAMO_SLURM_SSH_HOST"),
        Integer.parseInt(cluster.setting("DYNAMO_SLURM_SSH_PORT")), cluster.user(), List.of(key));
  }

  /** A real ssh-agent in the foreground (-D), on a socket of our own; stopped after the test. */
  private void startAgent() throws Exception {
    agentSocket = tmp.resolve("agent.sock");
    agent = new ProcessBuilder("ssh-agent", "-D", "-a", agentSocket.toString())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("agent.log").toFile()).start();
    for (int i = 0; i < 100 && !Files.exists(agentSocket); i++) Thread.sleep(50);
    assertTrue(Files.exists(agentSocket), "ssh-agent did not create " + agentSocket);
  }

  /** ssh-add, with the passphrase handed over by an askpass script (never the worker's environment). */
  private void addToAgent(Path key, String passphrase) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("ssh-add", key.toString()).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("SSH_AUTH_SOCK", agentSocket.toString());
    if (passphrase != null) {
      Path secret = Files.writeString(tmp.resolve("phrase"), passphrase);
      Path askpass = Files.writeString(tmp.resolve("askpass.sh"), "#!/bin/sh\ncat '" + secret + "'\n");
      Files.setPosixFilePermissions(askpass, PosixFilePermissions.fromString("rwx------"));
      env.put("SSH_ASKPASS", askpass.toString());
      env.put("SSH_ASKPASS_REQUIRE", "force");
      env.put("DISPLAY", "none");
    }
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "ssh-add " + key + ": " + out);
    assertFalse(System.getenv().containsKey(SshOptions.PASSPHRASE_ENV) && passphrase != null
        && System.getenv(SshOptions.PASSPHRASE_ENV).equals(passphrase), "no passphrase in the worker's environment");
  }

  private String fingerprint(String pubUnderState) throws Exception {
    return exec("ssh-keygen", "-l", "-E", "sha256", "-f", cluster.stateDir().resolve(pubUnderState).toString())
        .split(" ")[1];
  }

  private static String exec(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
    return out;
  }
}

package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.testing.slurm.LocalSlurm;
import ai.dynamo.deploy.testing.slurm.LocalSlurmCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** SSH to the local cluster's real OpenSSH server: host key verification, config aliases, keys, reconnects. */
@ExtendWith(LocalSlurm.class)
class SshConnectionClusterTest {
  @TempDir Path tmp;
  LocalSlurmCluster cluster;
  Path key;
  Path knownHosts;
  int port;

  @BeforeEach
  void setUp(LocalSlurmCluster local) {
    cluster = local;
    key = Path.of(cluster.setting("DYNAMO_SLURM_SSH_KEY"));
    knownHosts = Path.of(cluster.setting("DYNAMO_SLURM_KNOWN_HOSTS"));
    port = Integer.parseInt(cluster.setting("DYNAMO_SLURM_SSH_PORT"));
  }

  private SshEndpoint endpoint(Path identity) {
    return new SshEndpoint("local", "127.0.0.1", port, cluster.user(), List.of(identity));
  }

  @Test
  void runsCommandsAndFilesOverOneVerifiedConnection() throws IOException {
    try (SshConnection ssh = new SshConnection(endpoint(key), ClusterFixture.options(knownHosts, false))) {
      RemoteShell.Result r = ssh.run("printf '%s' \"$(whoami)\"; exit 3", RemoteShell.Retry.SAFE);
      assertEquals(3, r.exit());
      assertEquals(cluster.user(), r.stdout());
      String file = ssh.home() + "/dynamo-tests/ssh-" + System.nanoTime() + "/f";
      ssh.mkdirs(file.substring(0, file.lastIndexOf('/')), 0700);
      ssh.writeFile(file, "one\n".getBytes(StandardCharsets.UTF_8), 0600);
      ssh.writeFile(file, "two\n".getBytes(StandardCharsets.UTF_8), 0600); // replaces
      assertEquals("two\n", ssh.readFile(file).orElseThrow());
      assertEquals("600", ssh.run("stat -c %a " + Shell.quote(file), RemoteShell.Retry.SAFE).stdout().strip());
      // Replaced by a rename over it (OpenSSH's posix-rename): no file written beside it is left behind.
      String dir = file.substring(0, file.lastIndexOf('/'));
      assertEquals("f", ssh.run("ls -A " + Shell.quote(dir), RemoteShell.Retry.SAFE).stdout().strip());
      assertTrue(ssh.readFile(file + ".missing").isEmpty());
      assertTrue(ssh.readFile(dir + "/no-such-dir/f").isEmpty());
    }
  }

  @Test
  void unknownHostKeyIsRefusedByDefaultWithFingerprintAndHowToTrustIt() throws Exception {
    Path empty = Files.createFile(tmp.resolve("known_hosts"));
    SshConnection ssh = new SshConnection(endpoint(key), ClusterFixture.options(empty, false));
    SlurmError e = assertThrows(SlurmError.class, ssh::open);
    assertEquals(SlurmError.Kind.UNKNOWN_HOST_KEY, e.kind());
    assertFalse(e.retryable());
    String expected = serverFingerprint();
    assertTrue(e.getMessage().contains(expected), e.getMessage() + " should show " + expected);
    assertTrue(e.getMessage().contains("ssh-keyscan -p " + port + " -t ed25519 127.0.0.1 >> " + empty), e.getMessage());
    assertTrue(e.getMessage().contains("--accept-new-host-key"), "the flag a user types: " + e.getMessage());
    assertEquals("", Files.readString(empty), "nothing may be trusted without the opt-in");
  }

  @Test
  void missingKnownHostsFileIsRefused() {
    SshConnection ssh = new SshConnection(endpoint(key), ClusterFixture.options(tmp.resolve("nope"), false));
    assertEquals(SlurmError.Kind.UNKNOWN_HOST_KEY, assertThrows(SlurmError.class, ssh::open).kind());
  }

  @Test
  void acceptNewHostKeyIsAnExplicitOptInThatRecordsTheKey() throws Exception {
    Path file = tmp.resolve("known_hosts");
    try (SshConnection ssh = new SshConnection(endpoint(key), ClusterFixture.options(file, true))) {
      assertTrue(ssh.run("true", RemoteShell.Retry.SAFE).ok());
    }
    assertTrue(Files.readString(file).startsWith("[127.0.0.1]:" + port + " ssh-ed25519 "), Files.readString(file));
    try (SshConnection again = new SshConnection(endpoint(key), ClusterFixture.options(file, false))) {
      assertTrue(again.run("true", RemoteShell.Retry.SAFE).ok(), "the recorded key is trusted afterwards");
    }
  }

  @Test
  void changedHostKeyIsRefusedEvenWithAcceptNew() throws Exception {
    Path other = tmp.resolve("other");
    exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString());
    String otherKey = Files.readString(tmp.resolve("other.pub")).strip().split(" ")[1];
    Path file = tmp.resolve("known_hosts");
    Files.writeString(file, "[127.0.0.1]:" + port + " ssh-ed25519 " + otherKey + "\n");
    SshConnection ssh = new SshConnection(endpoint(key), ClusterFixture.options(file, true));
    SlurmError e = assertThrows(SlurmError.class, ssh::open);
    assertEquals(SlurmError.Kind.CHANGED_HOST_KEY, e.kind());
    assertTrue(e.getMessage().contains(serverFingerprint()), e.getMessage());
    assertTrue(e.getMessage().contains("ssh-keygen -R '[127.0.0.1]:" + port + "'"), e.getMessage());
  }

  @Test
  void hashedKnownHostsEntriesAreHonoured() throws Exception {
    Path file = tmp.resolve("known_hosts");
    Files.copy(knownHosts, file);
    exec("ssh-keygen", "-q", "-H", "-f", file.toString());
    assertTrue(Files.readString(file).startsWith("|1|"), "entries are hashed");
    try (SshConnection ssh = new SshConnection(endpoint(key), ClusterFixture.options(file, false))) {
      assertTrue(ssh.run("true", RemoteShell.Retry.SAFE).ok());
    }
  }

  @Test
  void sshConfigAliasGivesHostPortUserAndKey() throws Exception {
    SshConfigFile config = SshConfigFile.parse("Host slurm-login\n  HostName 127.0.0.1\n  Port " + port
        + "\n  User " + cluster.user() + "\n  IdentityFile " + key + "\n");
    SshEndpoint ep = SshEndpoint.resolve("slurm-login", config, null, tmp.toString(), "someone");
    try (SshConnection ssh = new SshConnection(ep, ClusterFixture.options(knownHosts, false))) {
      assertEquals(cluster.user(), ssh.run("whoami", RemoteShell.Retry.SAFE).stdout().strip());
    }
  }

  @Test
  void aKeyTheServerDoesNotKnowIsRefusedWithoutRetry() throws Exception {
    Path stranger = tmp.resolve("stranger");
    exec("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", stranger.toString());
    SshConnection ssh = new SshConnection(endpoint(stranger), ClusterFixture.options(knownHosts, false));
    SlurmError e = assertThrows(SlurmError.class, ssh::open);
    assertEquals(SlurmError.Kind.AUTHENTICATION_REFUSED, e.kind());
    assertTrue(e.getMessage().contains(stranger.toString()), e.getMessage());
  }

  @Test
  void aDroppedConnectionIsReopenedForSafeCommandsOnly() throws Exception {
    try (SshConnection ssh = new SshConnection(endpoint(key), ClusterFixture.options(knownHosts, false))) {
      assertTrue(ssh.run("true", RemoteShell.Retry.SAFE).ok());
      ssh.dropForTest();
      assertEquals("ok", ssh.run("echo ok", RemoteShell.Retry.SAFE).stdout().strip(), "reconnected");
      ssh.dropForTest();
      // An UNSAFE command on a connection that is gone is not sent again blindly; the next use reconnects.
      assertTrue(ssh.run("echo fine", RemoteShell.Retry.UNSAFE).ok(), "a closed connection is reopened before sending");
    }
  }

  private String serverFingerprint() throws Exception {
    Path pub = cluster.stateDir().resolve("sshd/ssh_host_ed25519_key.pub");
    String out = exec("ssh-keygen", "-l", "-E", "sha256", "-f", pub.toString());
    return out.split(" ")[1];
  }

  private static String exec(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
    return out;
  }
}

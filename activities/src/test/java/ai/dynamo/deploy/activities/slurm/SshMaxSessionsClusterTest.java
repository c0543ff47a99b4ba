package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.testing.FreePorts;
import ai.dynamo.deploy.testing.slurm.LocalSlurm;
import ai.dynamo.deploy.testing.slurm.LocalSlurmCluster;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A login node whose sshd allows fewer sessions per connection than a connection here opens ({@code MaxSessions 3}: the
 * SFTP channel and two commands), as hardened sites configure it: a real OpenSSH sshd of the test's own, started from
 * the local cluster's configuration with only the port and that limit changed. A refused channel is not a dropped
 * connection: the commands beyond the limit wait for a channel and run on the same login, an UNSAFE one (sbatch)
 * included, and the connection opens no more channels than the login node allows from then on; a first SFTP channel
 * waits for a session as a command does.
 */
@ExtendWith(LocalSlurm.class)
class SshMaxSessionsClusterTest {
  @TempDir Path tmp;
  LocalSlurmCluster cluster;
  Process sshd;
  SshEndpoint endpoint;
  SshOptions options;
  SshConnection observer;
  GatedCommands gated;
  final ExecutorService threads = Executors.newCachedThreadPool();

  @BeforeEach
  void setUp(LocalSlurmCluster local) throws Exception {
    cluster = local;
    int port = FreePorts.take();
    Path sshdDir = cluster.stateDir().resolve("sshd");
    List<String> config = new ArrayList<>();
    for (String line : Files.readAllLines(sshdDir.resolve("sshd_config"))) {
      if (line.startsWith("Port ") || line.startsWith("PidFile ") || line.startsWith("MaxSessions ")) continue;
      config.add(line);
    }
    config.add("Port " + port);
    config.add("PidFile " + tmp.resolve("sshd.pid"));
    config.add("MaxSessions 3");
    Files.write(tmp.resolve("sshd_config"), config);
    sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", tmp.resolve("sshd_config").toString())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("sshd.log").toFile()).start();
    awaitListening(port);
    // The same host key as the cluster's sshd, recorded for this port.
    String hostKey = Files.readString(sshdDir.resolve("ssh_host_ed25519_key.pub")).strip().split(" ", 3)[0] + " "
        + Files.readString(sshdDir.resolve("ssh_host_ed25519_key.pub")).strip().split(" ", 3)[1];
    Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + hostKey + "\n");
    Path key = Path.of(cluster.setting("DYNAMO_SLURM_SSH_KEY"));
    endpoint = new SshEndpoint("limited", "127.0.0.1", port, cluster.user(), List.of(key));
    options = ClusterFixture.options(knownHosts, false).withCommandTimeout(Duration.ofSeconds(20));
    observer = new SshConnection(new SshEndpoint("local", "127.0.0.1",
        Integer.parseInt(cluster.setting("DYNAMO_SLURM_SSH_PORT")), cluster.user(), List.of(key)),
        ClusterFixture.options(Path.of(cluster.setting("DYNAMO_SLURM_KNOWN_HOSTS")), false));
    gated = new GatedCommands(observer, "ssh-max-sessions");
  }

  private void awaitListening(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException e) {
        assertTrue(sshd.isAlive(), "the test's sshd ended: " + Files.readString(tmp.resolve("sshd.log")));
        assertTrue(System.nanoTime() < deadline, "the test's sshd did not listen on " + port);
        Thread.sleep(50);
      }
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (observer != null) {
        gated.release();
        observer.close();
      }
    } finally {
      threads.shutdownNow();
      assertTrue(threads.awaitTermination(60, TimeUnit.SECONDS));
      if (sshd != null) {
        sshd.destroy();
        sshd.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Waits (bounded by {@code deadline}) until {@code names} made {@code count} starts in all. */
  private void awaitStarted(List<String> names, int count, long deadline, List<Future<RemoteShell.Result>> all)
      throws Exception {
    while (gated.runs(names) < count) {
      assertTrue(System.nanoTime() < deadline, "started " + gated.runs(names) + ", ended: " + ended(all));
      Thread.sleep(50);
    }
  }

  private static List<String> ended(List<Future<RemoteShell.Result>> all) {
    List<String> out = new ArrayList<>();
    for (Future<RemoteShell.Result> f : all) {
      if (!f.isDone()) continue;
      try {
        out.add(f.get().toString());
      } catch (Exception e) {
        out.add(e.getCause().toString());
      }
    }
    return out;
  }

  @Test
  void commandsBeyondTheLoginNodesSessionLimitWaitForAChannelOnTheSameLogin() throws Exception {
    try (SshConnection ssh = new SshConnection(endpoint, options)) {
      ssh.home(); // the SFTP channel: one of the three sessions
      List<String> names = List.of("safe0", "safe1", "safe2", "unsafe");
      List<Future<RemoteShell.Result>> all = new ArrayList<>();
      for (String name : names) {
        RemoteShell.Retry retry = name.startsWith("safe") ? RemoteShell.Retry.SAFE : RemoteShell.Retry.UNSAFE;
        all.add(threads.submit(() -> ssh.run(gated.waiting(name), retry)));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (gated.runs(names) < 2 || ssh.channels().waiting() < 2) {
        assertTrue(System.nanoTime() < deadline, "started " + gated.runs(names) + ", waiting "
            + ssh.channels().waiting() + ", limit " + ssh.channels().limit() + ", ended: " + ended(all)
            + ", sshd: " + Files.readString(tmp.resolve("sshd.log")));
        Thread.sleep(50);
      }
      assertEquals(2, ssh.channels().limit(), "lowered to what the login node allows beside SFTP");
      assertEquals(2, gated.runs(names), "the others wait here, not refused there");
      gated.go();
      GatedCommands.assertEachPrintedItsName(names, all);
      assertEquals(4, gated.runs(names), "each ran once: a refused channel never started its command");
      // Sessions the login node is still closing when the next commands open theirs do not lower it further.
      List<Future<RemoteShell.Result>> again = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String word = "again" + i;
        again.add(threads.submit(() -> ssh.run("echo " + word, RemoteShell.Retry.SAFE)));
      }
      for (int i = 0; i < again.size(); i++) {
        assertEquals("again" + i, again.get(i).get(60, TimeUnit.SECONDS).stdout().strip());
      }
      assertEquals(2, ssh.channels().limit());
      assertEquals(1, ssh.loginsForTest(), "a refused channel is not a dropped connection");
    }
  }

  /**
   * A connection whose SFTP channel is not open yet (a shared wait's that never read its home) can fill the login
   * node's sessions with commands; its first file read then waits for one of them to end, on the same login, instead
   * of counting the refusal as a drop that breaks the commands.
   */
  @Test
  void aFirstFileReadWaitsForASessionWhenCommandsHoldThemAll() throws Exception {
    try (SshConnection ssh = new SshConnection(endpoint, options)) {
      List<String> names = List.of("cmd0", "cmd1", "cmd2");
      List<Future<RemoteShell.Result>> all = new ArrayList<>();
      for (String name : names) all.add(threads.submit(() -> ssh.run(gated.waiting(name), RemoteShell.Retry.SAFE)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      awaitStarted(names, 3, deadline, all);
      Future<Optional<String>> read = threads.submit(() -> ssh.readFile(gated.dir + "/cmd0.runs"));
      while (ssh.channels().waiting() < 1) {
        assertTrue(System.nanoTime() < deadline, "the read did not wait for a channel: " + (read.isDone() ? read.get()
            : "still running") + ", ended: " + ended(all));
        Thread.sleep(50);
      }
      assertFalse(read.isDone(), "all three sessions beside it are taken");
      gated.go();
      assertEquals(Optional.of("x\n"), read.get(60, TimeUnit.SECONDS));
      GatedCommands.assertEachPrintedItsName(names, all);
      assertEquals(3, gated.runs(names), "each ran once");
      assertEquals(1, ssh.loginsForTest(), "the refused SFTP channel was not a dropped connection");
    }
  }

  /**
   * The SFTP channel opened while two commands run fills the third session; a third command is refused then. The
   * SFTP channel is not one of the commands: the refusal is at more commands than the connection ever had open, so
   * the limit comes down at once, not after the pauses meant for a session still closing.
   */
  @Test
  void anSftpChannelOpenedBesideCommandsIsNotTakenLaterForAClosingSession() throws Exception {
    try (SshConnection ssh = new SshConnection(endpoint, options)) {
      List<String> names = List.of("cmd0", "cmd1", "cmd2");
      List<Future<RemoteShell.Result>> all = new ArrayList<>();
      for (String name : names.subList(0, 2)) {
        all.add(threads.submit(() -> ssh.run(gated.waiting(name), RemoteShell.Retry.SAFE)));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      awaitStarted(names, 2, deadline, all);
      assertEquals(Optional.of("x\n"), ssh.readFile(gated.dir + "/cmd0.runs"), "the SFTP channel: the third session");
      all.add(threads.submit(() -> ssh.run(gated.waiting("cmd2"), RemoteShell.Retry.SAFE)));
      while (ssh.channels().waiting() < 1 || ssh.channels().limit() != 2) {
        assertTrue(System.nanoTime() < deadline, "waiting " + ssh.channels().waiting() + ", limit "
            + ssh.channels().limit() + ", ended: " + ended(all));
        Thread.sleep(20);
      }
      assertEquals(0, ssh.channels().closingWaits(), "no session was closing: lowered at the first refusal");
      gated.go();
      GatedCommands.assertEachPrintedItsName(names, all);
      assertEquals(3, gated.runs(names), "each ran once");
      assertEquals(1, ssh.loginsForTest());
    }
  }
}

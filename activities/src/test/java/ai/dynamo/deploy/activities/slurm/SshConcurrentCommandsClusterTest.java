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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
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
 * Commands running at once on one {@link SshConnection} against the local cluster's real sshd: a command that waits
 * does not hold up another; a dropped connection is replaced by one login for all the commands it broke, SAFE ones
 * run again, UNSAFE ones not, and when that login fails they all get its one error; {@link SshConnection#close}
 * ends a running command with an error naming the endpoint; a timed-out command leaves the login to the others.
 * The remote commands wait for a file ("go") that the test creates through a second connection (the observer), so the
 * test decides when they end; nothing is timed.
 */
@ExtendWith(LocalSlurm.class)
class SshConcurrentCommandsClusterTest {
  LocalSlurmCluster cluster;
  SshEndpoint endpoint;
  SshOptions options;
  SshConnection observer;
  GatedCommands gated;
  final ExecutorService threads = Executors.newCachedThreadPool();

  @BeforeEach
  void setUp(LocalSlurmCluster local) throws IOException {
    cluster = local;
    endpoint = new SshEndpoint("local", "127.0.0.1", Integer.parseInt(cluster.setting("DYNAMO_SLURM_SSH_PORT")),
        cluster.user(), List.of(Path.of(cluster.setting("DYNAMO_SLURM_SSH_KEY"))));
    // A bound well below the test's own waits: on a connection whose commands take turns, a waiting command ends by
    // this timeout and the test fails on what it sees instead of hanging.
    options = ClusterFixture.options(Path.of(cluster.setting("DYNAMO_SLURM_KNOWN_HOSTS")), false)
        .withCommandTimeout(Duration.ofSeconds(20));
    observer = new SshConnection(endpoint, options);
    gated = new GatedCommands(observer, "ssh-concurrent");
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      gated.release();
    } finally {
      threads.shutdownNow();
      assertTrue(threads.awaitTermination(60, TimeUnit.SECONDS));
      observer.close();
    }
  }

  /** Waits (bounded) until {@code name} started {@code times} times in all. */
  private void awaitRuns(String name, int times) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (gated.runs(name) < times) {
      assertTrue(System.nanoTime() < deadline, name + " did not start " + times + " time(s): " + gated.runs(name));
      Thread.sleep(50);
    }
  }

  /** Starts {@code n} waiting SAFE commands, safe0 to safe(n-1), each on a thread of its own. */
  private List<Future<RemoteShell.Result>> startSafe(SshConnection ssh, int n) {
    List<Future<RemoteShell.Result>> started = new ArrayList<>();
    for (String name : safeNames(n)) {
      started.add(threads.submit(() -> ssh.run(gated.waiting(name), RemoteShell.Retry.SAFE)));
    }
    return started;
  }

  @Test
  void aWaitingCommandDoesNotHoldUpAnotherStartedAfterIt() throws Exception {
    try (SshConnection ssh = new SshConnection(endpoint, options)) {
      Future<RemoteShell.Result> slow = threads.submit(() -> ssh.run(gated.waiting("slow"), RemoteShell.Retry.SAFE));
      awaitRuns("slow", 1);
      assertEquals("fast", ssh.run("echo fast", RemoteShell.Retry.SAFE).stdout().strip());
      assertEquals(Optional.of("x\n"), ssh.readFile(gated.dir + "/slow.runs"), "SFTP does not wait for it either");
      assertFalse(slow.isDone(), "the first command still runs when the second's answer is back");
      gated.go();
      assertEquals("slow", slow.get(60, TimeUnit.SECONDS).stdout().strip());
      assertEquals(1, ssh.loginsForTest());
    }
  }

  /** Shared by a run's waits, follower and steps, a connection runs at most CHANNELS commands; the rest take turns. */
  @Test
  void commandsBeyondTheChannelLimitWaitForAChannel() throws Exception {
    try (SshConnection ssh = new SshConnection(endpoint, options)) {
      int n = ChannelSlots.CHANNELS + 3;
      List<Future<RemoteShell.Result>> all = startSafe(ssh, n);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (ssh.channels().waiting() < 3 || startedOf(n) < ChannelSlots.CHANNELS) {
        assertTrue(System.nanoTime() < deadline, "started " + startedOf(n) + ", waiting for a channel "
            + ssh.channels().waiting());
        Thread.sleep(50);
      }
      assertEquals(ChannelSlots.CHANNELS, startedOf(n), "the others wait for a channel, not the login node");
      gated.go();
      GatedCommands.assertEachPrintedItsName(safeNames(n), all);
      assertEquals(n, startedOf(n));
      assertEquals(1, ssh.loginsForTest());
    }
  }

  /** How many of safe0 .. safe(n-1) started on the login node. */
  private int startedOf(int n) throws IOException {
    return gated.runs(safeNames(n));
  }

  private static List<String> safeNames(int n) {
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> "safe" + i).toList();
  }

  @Test
  void aDropUnderRunningCommandsMeansOneNewLoginAndSafeCommandsRunAgain() throws Exception {
    try (SshConnection ssh = new SshConnection(endpoint, options)) {
      ssh.open();
      List<Future<RemoteShell.Result>> safe = startSafe(ssh, 4);
      Future<RemoteShell.Result> unsafe =
          threads.submit(() -> ssh.run(gated.waiting("unsafe"), RemoteShell.Retry.UNSAFE));
      for (int i = 0; i < 4; i++) awaitRuns("safe" + i, 1);
      awaitRuns("unsafe", 1);

      ssh.dropForTest(); // the network takes the connection while all five run
      for (int i = 0; i < 4; i++) awaitRuns("safe" + i, 2);
      ExecutionException lost = assertThrows(ExecutionException.class, () -> unsafe.get(60, TimeUnit.SECONDS));
      String message = lost.getCause().getMessage();
      assertTrue(message.contains(endpoint.display()) && message.contains("whether it took effect is unknown"), message);
      gated.go();
      GatedCommands.assertEachPrintedItsName(safeNames(4), safe);

      assertEquals(2, ssh.loginsForTest(), "one new login for the four commands the drop broke");
      for (int i = 0; i < 4; i++) assertEquals(2, gated.runs("safe" + i), "each SAFE command ran again once");
      assertEquals(1, gated.runs("unsafe"), "the UNSAFE command was not sent again");
    }
  }

  @Test
  void whenTheNewLoginFailsTheCommandsTheDropBrokeShareItsOneError(@TempDir Path tmp) throws Exception {
    Path knownHosts = Files.copy(Path.of(cluster.setting("DYNAMO_SLURM_KNOWN_HOSTS")), tmp.resolve("known_hosts"));
    SshOptions own = ClusterFixture.options(knownHosts, false).withCommandTimeout(Duration.ofSeconds(20));
    try (SshConnection ssh = new SshConnection(endpoint, own)) {
      ssh.open();
      List<Future<RemoteShell.Result>> safe = startSafe(ssh, 3);
      for (int i = 0; i < 3; i++) awaitRuns("safe" + i, 1);
      Files.delete(knownHosts); // from now on a login is refused: the host key cannot be checked
      ssh.dropForTest();
      Set<Throwable> errors = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Future<RemoteShell.Result> f : safe) {
        Throwable e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS)).getCause();
        assertTrue(e.getMessage().contains(endpoint.display()) && e.getMessage().contains(knownHosts.toString()),
            e.getMessage());
        errors.add(e);
      }
      assertEquals(1, errors.size(), "one login attempt for the three commands, its error handed to each");
      assertEquals(1, ssh.loginsForTest());
    }
  }

  @Test
  void closeEndsARunningCommandWithAnErrorNamingTheEndpoint() throws Exception {
    SshConnection ssh = new SshConnection(endpoint, options);
    Future<RemoteShell.Result> running = threads.submit(() -> ssh.run(gated.waiting("cmd"), RemoteShell.Retry.SAFE));
    awaitRuns("cmd", 1);
    ssh.close();
    ExecutionException closed = assertThrows(ExecutionException.class, () -> running.get(60, TimeUnit.SECONDS));
    String message = closed.getCause().getMessage();
    assertTrue(message.contains("the connection to " + endpoint.display() + " was closed while a command ran"), message);
    assertEquals(1, gated.runs("cmd"), "a command its connection's owner ended is not run again");
    assertEquals(1, ssh.loginsForTest(), "and no login after the close");
  }

  @Test
  void aCommandThatTimesOutLeavesTheConnectionToTheOthers() throws Exception {
    try (SshConnection ssh = new SshConnection(endpoint, options.withCommandTimeout(Duration.ofSeconds(3)));
        SshStreaming other = ssh.follow(gated.waiting("other"))) { // a channel with no command timeout
      awaitRuns("other", 1);
      SshCommand.CommandTimeout timeout = assertThrows(SshCommand.CommandTimeout.class,
          () -> ssh.run(gated.waiting("hung"), RemoteShell.Retry.SAFE));
      assertTrue(timeout.getMessage().contains(endpoint.display()), timeout.getMessage());
      gated.go();
      assertEquals("other\n", new String(other.output().readAllBytes(), StandardCharsets.UTF_8),
          "the other command's channel was not broken");
      assertEquals("ok", ssh.run("echo ok", RemoteShell.Retry.SAFE).stdout().strip());
      assertEquals(1, ssh.loginsForTest(), "the login node still answered: the login is kept");
    }
  }
}

package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readiness waits sharing a login ({@link SlurmSession#guardShared}) against the local cluster's real sshd: waits
 * held at the same time share one connection, run commands and SFTP reads and writes on it from their own threads,
 * and all succeed; one wait more than {@link SshConnectionPool#SHARE_LIMIT} gets another connection; a failed wait
 * leaves the connection working for the others and it is closed when the last of them lets go. Each test logs in with
 * a key file of its own, so no other test's connections are in play.
 */
class SshSharedWaitsClusterTest {
  @TempDir Path tmp;
  ClusterFixture fx;
  DeployContext ctx;
  final ExecutorService threads = Executors.newCachedThreadPool();

  @BeforeEach
  void setUp() throws IOException {
    fx = new ClusterFixture("share");
    Graph graph = fx.graph("version: 1\nname: share-" + UUID.randomUUID().toString().substring(0, 6)
        + "\ncomponents:\n  - name: web\n    cmd: [python3, x.py]\n    run_config: {input: http, output: dyn}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n");
    Path key = tmp.resolve("id_ed25519");
    Files.copy(fx.endpoint.identityFiles().get(0), key);
    Map<String, String> settings = new TreeMap<>(fx.settings());
    settings.put(SlurmSettings.SSH_HOST, fx.endpoint.user() + "@" + fx.endpoint.hostName() + ":" + fx.endpoint.port());
    settings.put(SlurmSettings.SSH_KEY, key.toString());
    settings.put(SlurmSettings.KNOWN_HOSTS, fx.knownHosts().toString());
    settings.put(SlurmSettings.SSH_CONFIG, "/dev/null");
    DeployRequest request =
        DeployRequest.of(graph, new TargetSpec("slurm", "test", settings), DeployOptions.defaults("test"));
    ctx = new DeployContext(request, "deploy/slurm/test/" + graph.name(), UUID.randomUUID().toString());
  }

  @AfterEach
  void tearDown() throws Exception {
    threads.shutdownNow();
    assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS));
    fx.close();
  }

  /** A wait: holds its connection until {@code hold} opens, running commands and file operations meanwhile. */
  private SshConnection waitOn(int i, CountDownLatch held, CountDownLatch hold) {
    return SlurmSession.guardShared(ctx, null, s -> {
      held.countDown();
      String file = s.ssh().home() + "/.share-test-" + UUID.randomUUID() + "-" + i;
      for (int round = 0; round < 3; round++) {
        assertEquals("w" + i + "r" + round,
            s.ssh().run("sleep 0.1; echo w" + i + "r" + round, RemoteShell.Retry.SAFE).stdout().strip());
        s.ssh().writeFile(file, ("wait " + i + " round " + round).getBytes(), 0600);
        assertEquals(Optional.of("wait " + i + " round " + round), s.ssh().readFile(file));
      }
      s.ssh().run("rm -f " + Shell.quote(file), RemoteShell.Retry.SAFE);
      await(hold);
      return s.ssh();
    });
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(60, TimeUnit.SECONDS), "the test's latch never opened");
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void concurrentWaitsShareOneConnectionUpToTheLimitAndAllSucceed() throws Exception {
    int n = SshConnectionPool.SHARE_LIMIT + 1;
    CountDownLatch held = new CountDownLatch(n);
    CountDownLatch hold = new CountDownLatch(1);
    List<Future<SshConnection>> waits = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int w = i;
      waits.add(threads.submit(() -> waitOn(w, held, hold)));
    }
    await(held);
    hold.countDown();
    List<SshConnection> used = new ArrayList<>();
    for (Future<SshConnection> f : waits) used.add(f.get(120, TimeUnit.SECONDS)); // each wait's assertions passed
    assertEquals(2, new HashSet<>(used).size(), "all held at once: " + SshConnectionPool.SHARE_LIMIT
        + " on one connection, the one beyond on another");
    long onFirst = used.stream().filter(c -> c == used.get(0)).count();
    assertTrue(onFirst == SshConnectionPool.SHARE_LIMIT || onFirst == 1, "sharers of the first: " + onFirst);
    for (SshConnection c : new HashSet<>(used)) assertNull(c.reusableForNewRun(Duration.ofSeconds(2)), "kept, alive");
  }

  /**
   * A wave's waits beyond the first connection's share need no login of their own when the worker knows the login's
   * home (its apply read it) and they run no command: readiness reaches them through the follower.
   */
  @Test
  void waitsBeyondTheFirstShareLogInOnlyWhenTheyRunACommand() throws Exception {
    RemoteLayout applied = SlurmSession.guard(ctx, SlurmSession::layout); // the apply: logs in, reads the home
    int n = SshConnectionPool.SHARE_LIMIT + 1;
    CountDownLatch held = new CountDownLatch(n);
    CountDownLatch hold = new CountDownLatch(1);
    List<Future<SlurmSession>> waits = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      waits.add(threads.submit(() -> SlurmSession.guardShared(ctx, null, s -> {
        held.countDown();
        await(hold);
        return s;
      })));
    }
    await(held);
    hold.countDown();
    List<SlurmSession> sessions = new ArrayList<>();
    for (Future<SlurmSession> f : waits) sessions.add(f.get(120, TimeUnit.SECONDS));
    SshConnection first = sessions.get(0).ssh();
    SshConnection beyond = sessions.stream().map(SlurmSession::ssh).filter(c -> c != first).findFirst().orElseThrow();
    SshConnection loggedIn = first.loginsForTest() == 1 ? first : beyond;
    SshConnection spare = loggedIn == first ? beyond : first;
    assertEquals(1, loggedIn.loginsForTest(), "the apply's connection, taken by the first sharers");
    assertEquals(0, spare.loginsForTest(), "the other sharers' connection did not log in");
    for (SlurmSession s : sessions) assertEquals(applied.graphDir(), s.layout().graphDir(), "the remembered home");

    // The next wait gets a kept connection; one that runs a command logs in then.
    SshConnection ran = SlurmSession.guardShared(ctx, null, s -> {
      assertEquals("ok", s.ssh().run("echo ok", RemoteShell.Retry.SAFE).stdout().strip());
      return s.ssh();
    });
    assertEquals(1, ran.loginsForTest());
  }

  /**
   * One connection per deploy: the run's status follower and a step that finds no idle connection join the one the
   * waits share, and another run joins it after the checks a kept connection passes; none of them logs in again.
   */
  @Test
  void theFollowerAStepAndAnotherRunJoinTheWaitsConnection() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch hold = new CountDownLatch(1);
    Future<SshConnection> wait = threads.submit(() -> waitOn(0, held, hold)); // logs in, runs commands, holds
    await(held);
    StatusFollower.Connection follower = SlurmSession.forFollower(ctx);
    SshConnection step = SlurmSession.guard(ctx, s -> {
      assertEquals("step", s.ssh().run("echo step", RemoteShell.Retry.SAFE).stdout().strip());
      return s.ssh();
    });
    DeployContext otherRun = new DeployContext(ctx.request(), ctx.workflowId(), UUID.randomUUID().toString());
    SshConnection other = SlurmSession.guard(otherRun, s -> {
      assertEquals("other", s.ssh().run("echo other", RemoteShell.Retry.SAFE).stdout().strip());
      return s.ssh();
    });
    hold.countDown();
    SshConnection waits = wait.get(120, TimeUnit.SECONDS);
    assertSame(waits, follower.ssh(), "the follower joined the waits' connection");
    assertSame(waits, step, "the step joined it");
    assertSame(waits, other, "another run joined it after the checks");
    assertEquals(1, waits.loginsForTest(), "one login for all of them");
    follower.letGo().run(); // the follower ends: released, not closed
    assertNull(waits.reusableForNewRun(Duration.ofSeconds(2)), "kept, alive");
    assertSame(waits, SlurmSession.guard(ctx, SlurmSession::ssh), "idle again for the next step");
  }

  /**
   * The deploys a worker runs (or has just run: a follower lingers) against one login node: each has a status follower,
   * which keeps a channel open for as long as it runs. Nine of them no longer take every channel of one connection, so
   * a new run's step still runs its command at once (before, it waited for a channel until a follower ended: the
   * preflight of the ninth deploy in a minute hung "checking" for up to a minute).
   */
  @Test
  void followersOfManyRunsLeaveChannelsForTheNextRunsStep() throws Exception {
    // A step of the first run holds its connection throughout, so no idle one is left for the new run's step.
    java.util.concurrent.CompletableFuture<String> dirMade = new java.util.concurrent.CompletableFuture<>();
    CountDownLatch hold = new CountDownLatch(1);
    Future<Object> holder = threads.submit(() -> SlurmSession.guard(ctx, s -> {
      String d = s.ssh().home() + "/.follow-test-" + UUID.randomUUID();
      s.ssh().run("mkdir -p " + d, RemoteShell.Retry.SAFE);
      dirMade.complete(d);
      await(hold);
      return null;
    }));
    String dir = dirMade.get(60, TimeUnit.SECONDS);
    List<StatusFollower> followers = new ArrayList<>();
    List<SshConnection> connections = new ArrayList<>();
    try {
      for (int i = 0; i <= ChannelSlots.CHANNELS; i++) {
        DeployContext run = new DeployContext(ctx.request(), ctx.workflowId() + "-" + i, UUID.randomUUID().toString());
        StatusFollower.Connection c = SlurmSession.forFollower(run);
        connections.add(c.ssh());
        StatusFollower f = new StatusFollower(c, dir, List.of("svc-" + i + "/status"), Duration.ofMinutes(10)).start();
        followers.add(f);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (f.snapshot().connects() == 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(1, f.snapshot().connects(), "follower " + i + " runs its tail: " + f.snapshot().problem());
      }
      for (SshConnection c : new HashSet<>(connections)) {
        long on = connections.stream().filter(x -> x == c).count();
        assertTrue(on <= SharedConnection.followerLimit(c), on + " followers on one connection");
      }
      assertEquals(3, new HashSet<>(connections).size(), "9 followers, at most 4 per connection");
      // A new run's step: its command gets a channel within a short bound instead of waiting for a follower to end.
      DeployContext next = new DeployContext(ctx.request(), ctx.workflowId() + "-next", UUID.randomUUID().toString());
      String out = SlurmSession.guard(next, false, Duration.ofSeconds(5),
          s -> s.ssh().run("echo next", RemoteShell.Retry.SAFE).stdout().strip());
      assertEquals("next", out);
    } finally {
      followers.forEach(StatusFollower::close);
      hold.countDown();
      holder.get(60, TimeUnit.SECONDS);
    }
  }

  /** Another run joins a shared connection that has logged in, not one a run's waits share without ever logging in. */
  @Test
  void anotherRunJoinsALoggedInSharedConnectionBeforeOneThatNeverLoggedIn() throws Exception {
    SshConnection first = SlurmSession.guard(ctx, SlurmSession::ssh); // logs in, reads the home; idle for ctx's run
    DeployContext second = new DeployContext(ctx.request(), ctx.workflowId(), UUID.randomUUID().toString());
    DeployContext third = new DeployContext(ctx.request(), ctx.workflowId(), UUID.randomUUID().toString());
    CountDownLatch secondHeld = new CountDownLatch(1);
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch hold = new CountDownLatch(1);
    // The second run's wait opens a connection of its own and never logs in (no command; the home is known) ...
    Future<SshConnection> neverLoggedIn = threads.submit(() -> SlurmSession.guardShared(second, null, s -> {
      secondHeld.countDown();
      await(hold);
      return s.ssh();
    }));
    await(secondHeld);
    // ... then the first run's wait shares the connection the first run left.
    Future<SshConnection> loggedIn = threads.submit(() -> SlurmSession.guardShared(ctx, null, s -> {
      held.countDown();
      await(hold);
      return s.ssh();
    }));
    await(held);
    SshConnection joined = SlurmSession.guard(third, s -> {
      assertEquals("third", s.ssh().run("echo third", RemoteShell.Retry.SAFE).stdout().strip());
      return s.ssh();
    });
    hold.countDown();
    assertSame(first, loggedIn.get(120, TimeUnit.SECONDS));
    assertEquals(0, neverLoggedIn.get(120, TimeUnit.SECONDS).loginsForTest());
    assertSame(first, joined, "the third run joined the connection that had logged in");
    assertEquals(1, first.loginsForTest());
  }

  @Test
  void aFailedWaitLeavesTheConnectionToTheOthersAndTheLastClosesIt() throws Exception {
    CountDownLatch held = new CountDownLatch(2);
    CountDownLatch hold = new CountDownLatch(1);
    Future<SshConnection> healthy = threads.submit(() -> waitOn(0, held, hold));
    Future<SshConnection> failing = threads.submit(() -> SlurmSession.guardShared(ctx, null, s -> {
      held.countDown();
      await(held);
      throw new SlurmError(SlurmError.Kind.COMMAND_FAILED, "this wait failed");
    }));
    ExecutionException failed = assertThrows(ExecutionException.class, () -> failing.get(120, TimeUnit.SECONDS));
    assertTrue(failed.getCause() instanceof TargetFailure, "failed with " + failed.getCause());
    await(held);
    // Broken now: a new wait gets another connection while the healthy one still holds the first.
    CountDownLatch none = new CountDownLatch(0);
    SshConnection other = waitOn(1, new CountDownLatch(1), none);
    hold.countDown();
    SshConnection first = healthy.get(120, TimeUnit.SECONDS);
    assertNotSame(first, other, "no new sharer for a broken connection");
    assertEquals("it is not connected", first.reusableForNewRun(Duration.ofSeconds(2)),
        "closed when the last holder let go");
    assertNull(other.reusableForNewRun(Duration.ofSeconds(2)), "the other is kept, alive");
    assertSame(other, SlurmSession.guard(ctx, SlurmSession::ssh), "and handed to the next step");
  }
}

package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logins started ahead of a deploy's first step ({@link SshConnectionPool#prepare}, {@link SshConnection#openAhead}),
 * without an SSH server: which connection the step then gets, when nothing is started, and that a login that failed
 * ahead is not tried a second time by the step that waited for it.
 */
class SshLoginAheadTest {
  private static final String LOGIN = "login";
  @TempDir Path tmp;
  private final List<SshConnection> opened = new ArrayList<>();

  /** Connections to a port where nothing listens: their logins ahead fail at once, which these tests ignore. */
  private SshConnection open() {
    SshConnection c = new SshConnection(new SshEndpoint("t", "127.0.0.1", 1, "nobody", List.of()),
        ClusterFixture.options(Path.of("/dev/null"), false));
    opened.add(c);
    return c;
  }

  private static SshConnectionPool pool(boolean acrossRuns) {
    return new SshConnectionPool(new SshPoolSettings(acrossRuns, Duration.ofSeconds(30)));
  }

  @Test
  void theRunsFirstStepTakesTheConnectionStartedAheadAndNoSecondIsStarted() {
    SshConnectionPool pool = pool(true);
    assertTrue(pool.prepare(LOGIN, "run", this::open));
    assertFalse(pool.prepare(LOGIN, "run", this::open), "a retried Validate starts no second login");
    SshConnectionPool.Lent step = pool.lend(LOGIN, "run", this::open);
    assertSame(opened.get(0), step.connection());
    assertFalse(step.shared());
    assertEquals(1, opened.size());
  }

  @Test
  void nothingStartsWhenTheNextStepHasAConnectionToTake() {
    SshConnectionPool pool = pool(true);
    SshConnection kept = pool.borrow(LOGIN, "run", this::open);
    pool.giveBack(LOGIN, "run", kept);
    assertFalse(pool.prepare(LOGIN, "run", this::open), "the run's idle connection");
    assertFalse(pool.prepare(LOGIN, "another run", this::open), "another run's idle one, checked and reused");
    SshConnection shared = pool.borrowShared("other login", "run", this::open);
    assertFalse(pool.prepare("other login", "run", this::open), "the run's shared one, which a step joins");
    assertEquals(2, opened.size(), "only the two taken above");
    pool.releaseShared("other login", shared, false);
  }

  @Test
  void withoutReuseAcrossRunsAnotherRunsIdleConnectionDoesNotCount() {
    SshConnectionPool pool = pool(false);
    pool.giveBack(LOGIN, "run", pool.borrow(LOGIN, "run", this::open));
    assertTrue(pool.prepare(LOGIN, "another run", this::open));
    assertSame(opened.get(1), pool.lend(LOGIN, "another run", this::open).connection());
  }

  /**
   * A server that closes every connection at once: the login ahead fails, and the step that comes next gets that
   * failure (one connection attempt, not two); once the connect timeout has passed, a step tries again.
   */
  @Test
  void aLoginThatFailedAheadIsReportedToTheNextStepWithoutASecondAttempt() throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread closer = new Thread(() -> {
        while (!server.isClosed()) {
          try (Socket s = server.accept()) {
            accepted.incrementAndGet();
          } catch (IOException e) {
            return;
          }
        }
      });
      closer.setDaemon(true);
      closer.start();
      Duration connectTimeout = Duration.ofSeconds(2);
      SshConnection c = new SshConnection(
          new SshEndpoint("t", "127.0.0.1", server.getLocalPort(), "nobody", List.of()),
          new SshOptions(Files.createFile(tmp.resolve("known_hosts")), false, null, connectTimeout,
              Duration.ofSeconds(5)));
      c.openAhead();
      assertEquals(1, accepted.get());
      SlurmError first = assertThrows(SlurmError.class, () -> c.run("true", RemoteShell.Retry.SAFE));
      assertEquals(SlurmError.Kind.UNREACHABLE, first.kind());
      assertTrue(first.getMessage().contains("127.0.0.1:" + server.getLocalPort()), first.getMessage());
      assertEquals(1, accepted.get(), "the step got the failure of the login ahead");
      Thread.sleep(connectTimeout.toMillis() + 200);
      assertThrows(SlurmError.class, () -> c.run("true", RemoteShell.Retry.SAFE));
      assertEquals(2, accepted.get(), "a later step logs in itself");
    }
  }
}

package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Shared borrowing in {@link SshConnectionPool}, without a server: an {@link SshConnection} connects only on first use,
 * so these connections are never opened and the test sees only which one the pool hands to whom.
 */
class SshConnectionPoolSharingTest {
  private static final String LOGIN = "login";
  private final SshEndpoint endpoint = new SshEndpoint("t", "127.0.0.1", 1, "nobody", List.of());
  private final SshOptions options = ClusterFixture.options(Path.of("/dev/null"), false);
  private final SshConnectionPool pool = new SshConnectionPool(new SshPoolSettings(true,
      Duration.ofSeconds(30)));
  private final List<SshConnection> opened = new ArrayList<>();

  private SshConnection open() {
    SshConnection c = new SshConnection(endpoint, options);
    opened.add(c);
    return c;
  }

  @Test
  void upToTheLimitShareOneConnectionAndTheNextGetsAnother() {
    List<SshConnection> got = new ArrayList<>();
    for (int i = 0; i < SshConnectionPool.SHARE_LIMIT + 1; i++) got.add(pool.borrowShared(LOGIN, "run", this::open));
    assertEquals(2, opened.size(), "one connection for the first " + SshConnectionPool.SHARE_LIMIT + ", then another");
    assertEquals(1, new HashSet<>(got.subList(0, SshConnectionPool.SHARE_LIMIT)).size());
    assertNotSame(got.get(0), got.get(SshConnectionPool.SHARE_LIMIT));
    assertNotSame(got.get(0), pool.borrowShared(LOGIN, "another run", this::open), "another run does not join");
  }

  @Test
  void aSharedConnectionIsNeverHandedOutExclusivelyUntilItsLastHolderLetsGo() {
    SshConnection shared = pool.borrowShared(LOGIN, "run", this::open);
    assertSame(shared, pool.borrowShared(LOGIN, "run", this::open));
    SshConnection exclusive = pool.borrow(LOGIN, "run", this::open);
    assertNotSame(shared, exclusive, "held shared: not exclusive too");
    pool.releaseShared(LOGIN, shared, false);
    assertNotSame(shared, pool.borrow(LOGIN, "run", this::open), "one holder is left");
    pool.releaseShared(LOGIN, shared, false);
    assertSame(shared, pool.borrow(LOGIN, "run", this::open), "back in the pool after the last holder");
  }

  @Test
  void anExclusivelyHeldConnectionIsNotSharedAndAnIdleOneOfTheRunIs() {
    SshConnection exclusive = pool.borrow(LOGIN, "run", this::open);
    assertNotSame(exclusive, pool.borrowShared(LOGIN, "run", this::open));
    SshConnection idle = pool.borrow(LOGIN, "run", this::open);
    pool.giveBack(LOGIN, "run", idle);
    // The shared one above has room, so it is joined; a full one would take the idle connection.
    Set<SshConnection> seen = new HashSet<>();
    for (int i = 0; i < SshConnectionPool.SHARE_LIMIT; i++) seen.add(pool.borrowShared(LOGIN, "run", this::open));
    assertEquals(2, seen.size());
    assertEquals(true, seen.contains(idle), "the run's idle connection is shared before a new one is opened");
    assertEquals(3, opened.size());
  }

  @Test
  void aStepThatFindsNoIdleConnectionJoinsTheOneTheRunsWaitsShare() {
    SshConnection shared = pool.borrowShared(LOGIN, "run", this::open);
    SshConnectionPool.Lent step = pool.lend(LOGIN, "run", this::open);
    assertSame(shared, step.connection(), "joined, not a new login");
    assertEquals(true, step.shared(), "released as a sharer, never given back or closed alone");
    assertEquals(1, opened.size());
    pool.releaseShared(LOGIN, shared, false);
    pool.releaseShared(LOGIN, shared, false);
    SshConnectionPool.Lent next = pool.lend(LOGIN, "run", this::open);
    assertSame(shared, next.connection());
    assertEquals(false, next.shared(), "idle again after its last holder: lent alone");
  }

  @Test
  void anotherRunJoinsOnlyAfterTheChecksAndAFailedCheckLeavesTheConnectionToItsRun() {
    SshConnection shared = pool.borrowShared(LOGIN, "run", this::open);
    // Never logged in, so the new run's check fails ("it is not connected"): it opens its own.
    SshConnectionPool.Lent other = pool.lend(LOGIN, "another run", this::open);
    assertNotSame(shared, other.connection());
    assertEquals(false, other.shared());
    assertSame(shared, pool.borrowShared(LOGIN, "run", this::open), "not broken for its own run");
  }

  @Test
  void aBrokenConnectionIsNotHandedOutAgainAndLeavesThePoolWithItsLastHolder() {
    SshConnection c = pool.borrowShared(LOGIN, "run", this::open);
    pool.borrowShared(LOGIN, "run", this::open);
    pool.releaseShared(LOGIN, c, true); // one wait failed
    assertNotSame(c, pool.borrowShared(LOGIN, "run", this::open), "no new sharer for a broken connection");
    pool.releaseShared(LOGIN, c, false); // the last holder of the broken one: closed, not kept
    assertNotSame(c, pool.borrow(LOGIN, "run", this::open));
    assertNotSame(c, pool.borrow(LOGIN, "run", this::open));
  }

  /**
   * A status follower keeps a channel for as long as it runs: at most half of a connection's channels go to followers,
   * the next follower gets a connection of its own, and the other holders still join the first.
   */
  @Test
  void followersTakeAtMostHalfOfAConnectionsChannelsAndTheNextGetsAnother() {
    SshConnection first = pool.borrowForFollower(LOGIN, "run", this::open);
    int limit = SharedConnection.followerLimit(first);
    assertEquals(ChannelSlots.CHANNELS / 2, limit);
    for (int i = 1; i < limit; i++) assertSame(first, pool.borrowForFollower(LOGIN, "run", this::open));
    SshConnection next = pool.borrowForFollower(LOGIN, "run", this::open);
    assertNotSame(first, next, "one follower more than the limit logs in on a connection of its own");
    assertEquals(2, opened.size());
    assertSame(first, pool.borrowShared(LOGIN, "run", this::open), "a wait still joins the first");
    pool.releaseFollower(LOGIN, first);
    assertSame(first, pool.borrowForFollower(LOGIN, "run", this::open), "a follower ended: room for the next");
    assertEquals(2, opened.size());
  }
}

package ai.dynamo.deploy.activities.slurm;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logged-in connections kept between activities, like OpenSSH's {@code ControlPersist}, so that a deploy does not pay
 * a handshake and login per step, nor per deploy: on a loaded login node those are most of a short step. The key
 * ({@link SshLoginKey}) covers everything that decides who we log in as and where, so any change to the endpoint, the
 * ssh config's choices, a key file, the agent or a known_hosts file means a fresh login.
 *
 * <p>A connection serves one activity at a time. The next activity of the same deploy run takes it as it is. A new
 * run (another deploy, or a re-run) takes it only after {@link SshConnection#reusableForNewRun} passes: logged in on
 * every hop, each host key still in the known_hosts files as they are now, and one keepalive answered within
 * {@link #ANSWER_WITHIN}; otherwise it is closed and the run logs in afresh (and meets the same host key and login
 * checks as ever). One that saw a failure is closed, never returned. One idle for longer than the idle lifetime is
 * closed. With reuse across runs turned off, a connection serves only the run that opened it (the behaviour before
 * this pool reached across runs).
 *
 * <p>Readiness waits instead share ({@link #borrowShared}): they hold a connection for minutes but use it only for an
 * occasional short command, and a wave of them starting at once would otherwise pay a handshake each. Up to
 * {@link #SHARE_LIMIT} holders of the same run share one connection (each command on its own channel, at most
 * {@link ChannelSlots#CHANNELS} at once), another is opened beyond that. The run's status follower and a step that
 * finds no idle connection (the next wave's apply, while this wave's waits hold the one its apply left) join it too
 * ({@link #lend}), instead of logging in; a follower keeps a channel for its whole life, so at most half of a
 * connection's channels go to followers ({@link SharedConnection#followerLimit}) and the next follower logs in anew. A
 * shared connection is never handed out exclusively while held; a failure marks it broken (no new sharers) and it is
 * closed when its last holder lets go.
 */
final class SshConnectionPool {
  private static final Logger log = LoggerFactory.getLogger(SshConnectionPool.class);
  /** How long a kept connection may take to answer the keepalive that a new run sends before using it. */
  static final Duration ANSWER_WITHIN = Duration.ofSeconds(2);

  /**
   * Holders of one shared connection at most. Holding costs nothing on the login node: a readiness wait sends a
   * command only when a job needs a closer look, and each command takes one of the connection's
   * {@link ChannelSlots#CHANNELS}, waiting for one when all are busy. So a wave's waits, the run's status follower
   * (which holds a channel: {@link SharedConnection#followerLimit}) and its later steps use the one connection the
   * first apply logged in with; the bound only limits how many are hit when that connection drops.
   */
  static final int SHARE_LIMIT = 32;

  private record Idle(SshConnection connection, String run, long since) {}

  private final SshPoolSettings settings;
  private final Map<String, Deque<Idle>> idle = new HashMap<>();
  private final Map<String, List<SharedConnection>> shared = new HashMap<>();
  private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "slurm-ssh-pool");
    t.setDaemon(true);
    return t;
  });

  /** Logins started ahead of the step that needs them ({@link #prepare}): one short-lived thread each. */
  private final ExecutorService ahead = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "slurm-ssh-login-ahead");
    t.setDaemon(true);
    return t;
  });

  SshConnectionPool(SshPoolSettings settings) {
    this.settings = settings;
    long every = Math.max(1, settings.idle().toMillis() / 3);
    sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    log.info("ssh: connections kept {} s when idle, {}", settings.idle().toSeconds(),
        settings.acrossRuns() ? "reused across deploy runs after a host key and liveness check"
            : "each used by one deploy run only (" + SshPoolSettings.REUSE_ENV + "=false)");
  }

  /**
   * Starts a login for {@code run} in the background when the pool holds nothing its next step could take: no idle
   * connection of the run (nor, across runs, of another) and no shared one it could join. The new connection is kept
   * idle for the run at once, so that step takes it and waits for the login under way instead of starting its own
   * ({@link SshConnection#openAhead}). Returns whether it started one.
   */
  boolean prepare(String key, String run, Supplier<SshConnection> open) {
    SshConnection c;
    synchronized (this) {
      boolean idleFits = idle.getOrDefault(key, new ArrayDeque<>()).stream().anyMatch(i -> takable(i, run));
      boolean sharedFits = shared.getOrDefault(key, List.of()).stream().anyMatch(s -> joinable(s, run, false));
      if (idleFits || sharedFits) return false;
      c = open.get();
      giveBack(key, run, c);
    }
    log.debug("ssh: logging in to {} ahead of the deploy's first step", c.endpoint().route());
    ahead.execute(c::openAhead);
    return true;
  }

  /** How a step holds its connection: alone (give it back or close it) or shared ({@link #releaseShared}). */
  record Lent(SshConnection connection, boolean shared) {}

  /**
   * A kept connection of this login key for {@code run} (the workflow and run it serves), else the run's shared
   * connection with room ({@link #joinShared}), else a new one from {@code open}.
   */
  Lent lend(String key, String run, Supplier<SshConnection> open) {
    SshConnection kept = borrow(key, run, () -> null);
    if (kept != null) return new Lent(kept, false);
    SshConnection joined = joinShared(key, run);
    return joined != null ? new Lent(joined, true) : new Lent(open.get(), false);
  }

  /**
   * A kept connection of this login key for {@code run} (the workflow and run it serves), or a new one from
   * {@code open}.
   */
  SshConnection borrow(String key, String run, Supplier<SshConnection> open) {
    while (true) {
      Idle candidate = take(key, run);
      if (candidate == null) break;
      SshConnection c = candidate.connection();
      long idleMillis = (System.nanoTime() - candidate.since()) / 1_000_000;
      if (candidate.run().equals(run)) {
        log.debug("ssh: reusing the connection to {} (same run, idle {} ms)", c.endpoint().route(), idleMillis);
        return c;
      }
      long start = System.nanoTime();
      String why = c.reusableForNewRun(ANSWER_WITHIN);
      long checkMillis = (System.nanoTime() - start) / 1_000_000;
      if (why == null) {
        log.info("ssh: reusing the connection to {} for a new run (idle {} ms; host key re-checked against"
            + " known_hosts and keepalive answered in {} ms)", c.endpoint().route(), idleMillis, checkMillis);
        return c;
      }
      log.info("ssh: not reusing the connection to {} ({}); logging in afresh", c.endpoint().route(), why);
      c.close();
    }
    return open.get();
  }

  /**
   * A connection of this login key shared with other waits of {@code run}: one already shared with room left, else
   * the run's most recent idle one, else (across runs) another run's shared one after the checks ({@link #joinShared}),
   * else a new one from {@code open}, which must not connect (an
   * {@link SshConnection} connects on first use, under its own lock, so the sharers that arrive meanwhile wait for
   * that one login instead of each starting their own). Idle connections of other runs are left to exclusive
   * borrowers, which check them first ({@link #borrow}). Give it back with {@link #releaseShared}.
   */
  SshConnection borrowShared(String key, String run, Supplier<SshConnection> open) {
    return borrowShared(key, run, false, open);
  }

  /**
   * {@link #borrowShared} for a status follower, which keeps one of the connection's channels for as long as it runs:
   * only a connection with fewer than {@link SharedConnection#followerLimit} followers is joined. Give it back with
   * {@link #releaseFollower}.
   */
  SshConnection borrowForFollower(String key, String run, Supplier<SshConnection> open) {
    return borrowShared(key, run, true, open);
  }

  private SshConnection borrowShared(String key, String run, boolean follower, Supplier<SshConnection> open) {
    synchronized (this) {
      SshConnection same = joinSameRun(key, run, follower);
      if (same != null) return same;
      Idle idleOfRun = removeFirst(key, i -> i.run().equals(run));
      if (idleOfRun != null) return share(key, run, idleOfRun.connection(), follower);
    }
    SshConnection joined = joinShared(key, run, follower); // across runs, checked outside the lock
    if (joined != null) return joined;
    synchronized (this) {
      SshConnection same = joinSameRun(key, run, follower); // another sharer of the run may have started one meanwhile
      return same != null ? same : share(key, run, open.get(), follower);
    }
  }

  /** The run's shared connection with room, joined, or null. */
  private synchronized SshConnection joinSameRun(String key, String run, boolean follower) {
    for (SharedConnection s : shared.getOrDefault(key, List.of())) {
      if (s.open(run, follower)) {
        s.join(follower);
        return s.connection;
      }
    }
    return null;
  }

  /** Starts sharing {@code c} for {@code run}, with one holder. */
  private synchronized SshConnection share(String key, String run, SshConnection c, boolean follower) {
    shared.computeIfAbsent(key, k -> new ArrayList<>()).add(new SharedConnection(c, run, follower));
    return c;
  }

  /**
   * The run's shared connection with room left, joined as one more holder; else (across runs) another run's with
   * room, joined after the checks an idle one passes ({@link SshConnection#reusableForNewRun}); else null. A step that
   * finds no idle connection takes this rather than log in: readiness waits and the status follower hold the
   * connection their apply left for minutes and use it rarely. Give it back with {@link #releaseShared}.
   */
  SshConnection joinShared(String key, String run) {
    return joinShared(key, run, false);
  }

  private SshConnection joinShared(String key, String run, boolean follower) {
    SharedConnection other;
    synchronized (this) {
      SshConnection same = joinSameRun(key, run, follower);
      if (same != null || !settings.acrossRuns()) return same;
      // One that has logged in first (it read its home): a second connection of a run's waits may never have.
      other = shared.getOrDefault(key, List.of()).stream().filter(s -> joinable(s, run, follower))
          .min(Comparator.comparing(s -> s.connection.homeIfRead() == null)).orElse(null);
      if (other == null) return null;
      other.join(follower); // held while checked, outside the lock: the check is a round trip
    }
    String why = other.connection.reusableForNewRun(ANSWER_WITHIN);
    if (why == null) {
      synchronized (this) {
        other.runs.add(run);
        other.lastRun = run;
      }
      log.info("ssh: joining the connection to {} that another deploy run's waits share (host key re-checked"
          + " against known_hosts, keepalive answered)", other.connection.endpoint().route());
      return other.connection;
    }
    // Its own run goes on with it (it passed that run's checks); this run does not join it.
    log.info("ssh: not joining the connection to {} that another deploy run's waits share ({})",
        other.connection.endpoint().route(), why);
    releaseShared(key, other.connection, false, follower);
    return null;
  }

  /**
   * One holder of a shared connection lets go; {@code failed}: its activity failed, so nobody new gets the connection.
   * The last holder gives it back for the next activity, or closes it when it is broken.
   */
  void releaseShared(String key, SshConnection c, boolean failed) {
    releaseShared(key, c, failed, false);
  }

  /** A status follower ({@link #borrowForFollower}) lets go of its shared connection. */
  void releaseFollower(String key, SshConnection c) {
    releaseShared(key, c, false, true);
  }

  private void releaseShared(String key, SshConnection c, boolean failed, boolean follower) {
    SharedConnection done = null;
    synchronized (this) {
      List<SharedConnection> held = shared.getOrDefault(key, List.of());
      for (SharedConnection s : held) {
        if (s.connection != c) continue;
        s.broken |= failed;
        if (follower) s.followers--;
        if (--s.holders == 0) done = s;
        break;
      }
      if (done != null) {
        held.remove(done);
        if (held.isEmpty()) shared.remove(key);
        if (!done.broken) giveBack(key, done.lastRun, c);
      }
    }
    if (done != null && done.broken) c.close(); // outside the pool's lock: closing may wait for a login under way
  }

  /** Back for the next activity. */
  synchronized void giveBack(String key, String run, SshConnection c) {
    idle.computeIfAbsent(key, k -> new ArrayDeque<>()).push(new Idle(c, run, System.nanoTime()));
  }

  /** Whether {@code run} may take this idle connection: its own run's, or (across runs) any. */
  private boolean takable(Idle i, String run) {
    return i.run().equals(run) || settings.acrossRuns();
  }

  /** Whether {@code run} may join this shared connection: its own run's with room, or (across runs) any with room. */
  private boolean joinable(SharedConnection s, String run, boolean follower) {
    return settings.acrossRuns() ? s.hasRoom(follower) : s.open(run, follower);
  }

  /** The most recent idle connection of the run, else the most recent one it may take ({@link #takable}), or null. */
  private synchronized Idle take(String key, String run) {
    Idle same = removeFirst(key, i -> i.run().equals(run));
    return same != null ? same : removeFirst(key, i -> takable(i, run));
  }

  private synchronized Idle removeFirst(String key, Predicate<Idle> wanted) {
    Deque<Idle> q = idle.get(key);
    if (q == null) return null;
    for (Idle i : q) {
      if (!wanted.test(i)) continue;
      q.remove(i);
      if (q.isEmpty()) idle.remove(key);
      return i;
    }
    return null;
  }

  private void sweep() {
    long cutoff = System.nanoTime() - settings.idle().toNanos();
    Deque<SshConnection> stale = new ArrayDeque<>();
    synchronized (this) {
      for (Iterator<Deque<Idle>> qs = idle.values().iterator(); qs.hasNext(); ) {
        Deque<Idle> q = qs.next();
        q.removeIf(i -> {
          if (i.since() > cutoff) return false;
          stale.add(i.connection());
          return true;
        });
        if (q.isEmpty()) qs.remove();
      }
    }
    for (SshConnection c : stale) {
      log.debug("ssh: closing the connection to {} (idle for {} s)", c.endpoint().route(), settings.idle().toSeconds());
      c.close();
    }
  }
}

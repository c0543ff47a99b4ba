package ai.dynamo.deploy.activities.slurm;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * {@link #SHARE_LIMIT} waits of the same run share one connection (each command on its own channel; OpenSSH allows
 * 10 sessions per connection by default), another is opened beyond that. A shared connection is never handed out
 * exclusively while held; a failure marks it broken (no new sharers) and it is closed when its last holder lets go.
 */
final class SshConnectionPool {
  private static final Logger log = LoggerFactory.getLogger(SshConnectionPool.class);
  /** How long a kept connection may take to answer the keepalive that a new run sends before using it. */
  static final Duration ANSWER_WITHIN = Duration.ofSeconds(2);

  /**
   * @param acrossRuns whether a new deploy run may take a connection another run left
   * @param idle how long an unused connection is kept
   */
  record Settings(boolean acrossRuns, Duration idle) {
    /** Worker environment: reuse across runs unless this is {@code false}. */
    static final String REUSE_ENV = "DYNAMO_SSH_REUSE_ACROSS_RUNS";
    /** Worker environment: seconds an unused connection is kept (1-3600). */
    static final String IDLE_ENV = "DYNAMO_SSH_IDLE_SECONDS";
    static final Settings DEFAULTS = new Settings(true, Duration.ofSeconds(30));

    /** From the worker's environment; a bad value is logged with the variable's name and the default used. */
    static Settings fromEnvironment(Map<String, String> env) {
      boolean across = DEFAULTS.acrossRuns();
      String reuse = env.get(REUSE_ENV);
      if (reuse != null && !reuse.isBlank()) {
        if (reuse.strip().equals("false") || reuse.strip().equals("true")) {
          across = reuse.strip().equals("true");
        } else {
          log.warn("{}={} is neither true nor false; using {}", REUSE_ENV, reuse, across);
        }
      }
      Duration idle = DEFAULTS.idle();
      String seconds = env.get(IDLE_ENV);
      if (seconds != null && !seconds.isBlank()) {
        try {
          long s = Long.parseLong(seconds.strip());
          if (s < 1 || s > 3600) throw new NumberFormatException("out of range");
          idle = Duration.ofSeconds(s);
        } catch (NumberFormatException e) {
          log.warn("{}={} is not a number of seconds from 1 to 3600; using {}", IDLE_ENV, seconds, idle.toSeconds());
        }
      }
      return new Settings(across, idle);
    }
  }

  /** Waits sharing one connection at most: below OpenSSH's default MaxSessions (10), with room to spare. */
  static final int SHARE_LIMIT = 6;

  private record Idle(SshConnection connection, String run, long since) {}

  /** A connection held in shared mode: by how many, and whether one of them saw it fail. */
  private static final class Shared {
    final SshConnection connection;
    final String run;
    int holders = 1;
    boolean broken;

    Shared(SshConnection connection, String run) {
      this.connection = connection;
      this.run = run;
    }
  }

  private final Settings settings;
  private final Map<String, Deque<Idle>> idle = new HashMap<>();
  private final Map<String, List<Shared>> shared = new HashMap<>();
  private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "slurm-ssh-pool");
    t.setDaemon(true);
    return t;
  });

  SshConnectionPool(Settings settings) {
    this.settings = settings;
    long every = Math.max(1, settings.idle().toMillis() / 3);
    sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    log.info("ssh: connections kept {} s when idle, {}", settings.idle().toSeconds(),
        settings.acrossRuns() ? "reused across deploy runs after a host key and liveness check"
            : "each used by one deploy run only (" + Settings.REUSE_ENV + "=false)");
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
   * the run's most recent idle one, else a new one from {@code open}, which must not connect (an
   * {@link SshConnection} connects on first use, under its own lock, so the sharers that arrive meanwhile wait for
   * that one login instead of each starting their own). Idle connections of other runs are left to exclusive
   * borrowers, which check them first ({@link #borrow}). Give it back with {@link #releaseShared}.
   */
  synchronized SshConnection borrowShared(String key, String run, Supplier<SshConnection> open) {
    List<Shared> held = shared.computeIfAbsent(key, k -> new ArrayList<>());
    for (Shared s : held) {
      if (s.run.equals(run) && !s.broken && s.holders < SHARE_LIMIT) {
        s.holders++;
        return s.connection;
      }
    }
    Idle same = takeSameRun(key, run);
    Shared s = new Shared(same != null ? same.connection() : open.get(), run);
    held.add(s);
    return s.connection;
  }

  /**
   * One holder of a shared connection lets go; {@code failed}: its activity failed, so nobody new gets the connection.
   * The last holder gives it back for the next activity, or closes it when it is broken.
   */
  void releaseShared(String key, SshConnection c, boolean failed) {
    Shared done = null;
    synchronized (this) {
      List<Shared> held = shared.getOrDefault(key, List.of());
      for (Shared s : held) {
        if (s.connection != c) continue;
        s.broken |= failed;
        if (--s.holders == 0) done = s;
        break;
      }
      if (done != null) {
        held.remove(done);
        if (held.isEmpty()) shared.remove(key);
        if (!done.broken) giveBack(key, done.run, c);
      }
    }
    if (done != null && done.broken) c.close(); // outside the pool's lock: closing may wait for a login under way
  }

  /** Back for the next activity. */
  synchronized void giveBack(String key, String run, SshConnection c) {
    idle.computeIfAbsent(key, k -> new ArrayDeque<>()).push(new Idle(c, run, System.nanoTime()));
  }

  private synchronized Idle takeSameRun(String key, String run) {
    Deque<Idle> q = idle.get(key);
    if (q == null) return null;
    for (Idle i : q) {
      if (i.run().equals(run)) {
        q.remove(i);
        if (q.isEmpty()) idle.remove(key);
        return i;
      }
    }
    return null;
  }

  /** The most recent idle connection of the run, else (across runs) the most recent of another run, or null. */
  private synchronized Idle take(String key, String run) {
    Idle same = takeSameRun(key, run);
    if (same != null || !settings.acrossRuns()) return same;
    Deque<Idle> q = idle.get(key);
    if (q == null) return null;
    Idle pick = q.pollFirst();
    if (q.isEmpty()) idle.remove(key);
    return pick;
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

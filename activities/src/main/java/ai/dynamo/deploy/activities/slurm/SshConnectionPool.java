package ai.dynamo.deploy.activities.slurm;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Connections kept between the activities of one deploy run (the key names the workflow run and its settings), so
 * that a deploy logs in once instead of once per step: on a loaded login node the handshake and login are most of a
 * short step. A connection serves one activity at a time; one that saw a failure is closed, not returned; an idle
 * one is closed after {@link #IDLE}. A new run starts with no connection, so its first contact (preflight) checks
 * the host key and the login afresh.
 */
final class SshConnectionPool {
  static final Duration IDLE = Duration.ofSeconds(30);

  private record Idle(SshConnection connection, long since) {}

  private final Map<String, Deque<Idle>> idle = new HashMap<>();
  private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "slurm-ssh-pool");
    t.setDaemon(true);
    return t;
  });

  SshConnectionPool() {
    sweeper.scheduleWithFixedDelay(this::sweep, IDLE.toMillis(), IDLE.toMillis() / 3, TimeUnit.MILLISECONDS);
  }

  /** An idle connection of this key, or a new one. */
  SshConnection borrow(String key, Supplier<SshConnection> open) {
    synchronized (this) {
      Deque<Idle> q = idle.get(key);
      if (q != null && !q.isEmpty()) return q.pop().connection();
    }
    return open.get();
  }

  /** Back for the next activity of the same run. */
  synchronized void giveBack(String key, SshConnection c) {
    idle.computeIfAbsent(key, k -> new ArrayDeque<>()).push(new Idle(c, System.nanoTime()));
  }

  private void sweep() {
    long cutoff = System.nanoTime() - IDLE.toNanos();
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
    stale.forEach(SshConnection::close);
  }
}

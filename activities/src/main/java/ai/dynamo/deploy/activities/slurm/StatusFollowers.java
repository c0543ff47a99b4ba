package ai.dynamo.deploy.activities.slurm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The worker's status followers, one per deploy revision (login node, graph directory, revision and its files),
 * shared by every readiness wait of that revision on this worker, like an informer shared by watches. A follower
 * outlives its last wait by {@link #LINGER}, so the waits of the next stage and wave find it running.
 */
public final class StatusFollowers {
  static final Duration LINGER = Duration.ofSeconds(60);

  private final Duration squeueEvery;
  private final Map<String, Entry> followers = new HashMap<>();
  private final ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "slurm-status-followers");
    t.setDaemon(true);
    return t;
  });

  public StatusFollowers(Duration squeueEvery) {
    this.squeueEvery = squeueEvery;
  }

  private static final class Entry {
    final StatusFollower follower;
    int leases;
    long generation;

    Entry(StatusFollower follower) {
      this.follower = follower;
    }
  }

  /** A wait's use of a follower; closing it lets the follower go after {@link #LINGER} when nobody else uses it. */
  public final class Lease implements AutoCloseable {
    private final String key;
    private final List<String> jobs;
    private final StatusFollower follower;

    private Lease(String key, StatusFollower follower, Collection<String> jobs) {
      this.key = key;
      this.follower = follower;
      this.jobs = new ArrayList<>(jobs);
      follower.watch(this.jobs);
    }

    public StatusFollower follower() {
      return follower;
    }

    @Override
    public void close() {
      follower.unwatch(jobs);
      release(key);
    }
  }

  /**
   * @param files status files, relative to {@code graphDir}
   * @param connect the follower's connection (asked only when no follower runs yet)
   */
  synchronized Lease follow(String login, String graphDir, List<String> files, Collection<String> jobs,
      Supplier<StatusFollower.Connection> connect) {
    String key = login + "\n" + graphDir + "\n" + String.join("\n", files);
    Entry e = followers.get(key);
    if (e == null) {
      e = new Entry(new StatusFollower(connect.get(), graphDir, files, squeueEvery).start());
      followers.put(key, e);
    }
    e.leases++;
    e.generation++;
    return new Lease(key, e.follower, jobs);
  }

  private synchronized void release(String key) {
    Entry e = followers.get(key);
    if (e == null) return;
    e.leases--;
    if (e.leases > 0) return;
    long generation = e.generation;
    closer.schedule(() -> closeIfIdle(key, generation), LINGER.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void closeIfIdle(String key, long generation) {
    StatusFollower idle = null;
    synchronized (this) {
      Entry e = followers.get(key);
      if (e != null && e.leases == 0 && e.generation == generation) {
        followers.remove(key);
        idle = e.follower;
      }
    }
    if (idle != null) idle.close();
  }

  /** Running followers (tests and the benchmark count them). */
  public synchronized int running() {
    return followers.size();
  }
}

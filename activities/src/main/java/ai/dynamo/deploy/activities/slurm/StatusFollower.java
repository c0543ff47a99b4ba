package ai.dynamo.deploy.activities.slurm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Follows the status files of one deploy revision (docs/slurm-target.md: how readiness reaches the worker): one
 * remote {@code tail -F} over all of them on one SSH channel, started once and restarted after a drop, where the
 * restarted tail re-reads each file and {@link TailFollowParser} hands out only the lines not seen before. Beside
 * it, Slurm stays the source of truth for job state: one {@code squeue} for all watched jobs every
 * {@code squeueEvery} (10 s), however many components wait, so a job that dies without writing is noticed too.
 *
 * <p>Readers take a {@link Snapshot} and wait for the next change with {@link #awaitChange}.
 */
public final class StatusFollower implements AutoCloseable {
  static final Duration SQUEUE_EVERY = Duration.ofSeconds(10);
  /** The remote tail's own bound: it is restarted after this long, so none outlives a lost connection for long. */
  static final int TAIL_SECONDS = 3600;
  private static final long FIRST_BACKOFF_MILLIS = 200;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  /** What is known now: each job's report (by job ID), Slurm's last word on each watched job, and problems. */
  public record Snapshot(long version, Map<String, JobReport> reports, Map<String, SlurmJob> squeued,
      Set<String> gone, int squeueRuns, int connects, int lines, String problem) {
    public JobReport report(String jobId) {
      return reports.getOrDefault(jobId, JobReport.empty(jobId));
    }
  }

  private final SshConnection ssh;
  private final Runnable letGo;
  private final String dir;
  private final List<String> files;
  private final Duration squeueEvery;
  private final TailFollowParser parser = new TailFollowParser();
  private final Object lock = new Object();
  private final Map<String, JobReport> reports = new HashMap<>();
  private final Map<String, Integer> watched = new LinkedHashMap<>();
  private final Map<String, SlurmJob> squeued = new HashMap<>();
  private final Set<String> gone = new HashSet<>();
  private long version;
  private int squeueRuns;
  private int connects;
  private int lines;
  /** The follower's and the squeue's last trouble, each cleared by its own next success. */
  private String followProblem;
  private String squeueProblem;
  private volatile boolean closed;
  private volatile boolean holdReconnects;
  private SshStreaming stream;
  private final Thread reader;
  private final Thread poller;

  /** The follower's connection, and how it lets it go when it ends: closes its own, releases a shared one. */
  record Connection(SshConnection ssh, Runnable letGo) {
    static Connection own(SshConnection ssh) {
      return new Connection(ssh, ssh::close);
    }
  }

  /**
   * @param dir the graph directory; {@code files} are relative to it
   */
  StatusFollower(SshConnection ssh, String dir, List<String> files, Duration squeueEvery) {
    this(Connection.own(ssh), dir, files, squeueEvery);
  }

  StatusFollower(Connection connection, String dir, List<String> files, Duration squeueEvery) {
    this.ssh = connection.ssh();
    this.letGo = connection.letGo();
    this.dir = dir;
    this.files = List.copyOf(files);
    this.squeueEvery = squeueEvery;
    this.reader = new Thread(this::follow, "slurm-status-follower " + dir);
    this.poller = new Thread(this::poll, "slurm-squeue " + dir);
    reader.setDaemon(true);
    poller.setDaemon(true);
  }

  StatusFollower start() {
    reader.start();
    poller.start();
    return this;
  }

  /**
   * The remote command: tail with a header per file, ended by EOF on its stdin (the channel closing) or its bound.
   * First every missing status file is created empty (appended to, never truncated; a job only appends), with its
   * job directory: GNU tail follows with inotify, each line at once, only when every file's directory exists and at
   * least one file does (coreutils 9.1, checked on Debian 12); otherwise it polls every {@code -s} (0.1 s). The
   * follower starts before the jobs have written anything and before a later wave's files exist. Only inside an
   * existing revision directory: a follower restarted after an uninstall must not leave directories behind.
   */
  String command() {
    StringBuilder create = new StringBuilder("(cd -- " + Shell.quote(dir) + " && umask 077 && for f in");
    for (String f : files) create.append(' ').append(Shell.quote(f));
    create.append("; do [ -e \"$f\" ] || { mkdir -- \"${f%/*}\"; : >>\"$f\"; }; done) 2>/dev/null; ");
    StringBuilder tail = new StringBuilder(create).append("timeout " + TAIL_SECONDS + " tail -F -v -n +1 -s 0.1 --");
    for (String f : files) tail.append(' ').append(Shell.quote(dir + "/" + f));
    // tail in the background; a reader of stdin kills it when the channel closes (EOF), and the shell ends with it.
    return tail + " 2>&1 & t=$!; ( cat >/dev/null; kill $t ) <&0 >/dev/null 2>&1 & wait $t";
  }

  /** Adds jobs to the squeue of every round (counted: several waits may watch one job). */
  public void watch(Collection<String> jobIds) {
    synchronized (lock) {
      jobIds.forEach(id -> watched.merge(id, 1, Integer::sum));
    }
  }

  public void unwatch(Collection<String> jobIds) {
    synchronized (lock) {
      jobIds.forEach(id -> watched.computeIfPresent(id, (k, n) -> n <= 1 ? null : n - 1));
    }
  }

  public Snapshot snapshot() {
    synchronized (lock) {
      return new Snapshot(version, Map.copyOf(reports), Map.copyOf(squeued), Set.copyOf(gone), squeueRuns, connects,
          lines, followProblem != null ? followProblem : squeueProblem);
    }
  }

  /** The snapshot once something changed after {@code sinceVersion}, or after {@code max}, whichever is first. */
  public Snapshot awaitChange(long sinceVersion, Duration max) throws InterruptedException {
    long until = System.nanoTime() + max.toNanos();
    synchronized (lock) {
      while (version == sinceVersion && !closed) {
        long left = until - System.nanoTime();
        if (left <= 0) break;
        lock.wait(Math.max(1, left / 1_000_000));
      }
    }
    return snapshot();
  }

  private void follow() {
    long backoff = FIRST_BACKOFF_MILLIS;
    while (!closed) {
      if (!holdReconnects) {
        try (SshStreaming s = ssh.follow(command())) {
          synchronized (lock) {
            stream = s;
            connects++;
          }
          parser.restart();
          BufferedReader in = new BufferedReader(new InputStreamReader(s.output(), StandardCharsets.UTF_8));
          String line;
          while ((line = in.readLine()) != null) {
            backoff = FIRST_BACKOFF_MILLIS;
            if (followProblem != null) changed(() -> followProblem = null);
            parser.accept(line).ifPresent(e -> changed(() -> lines++, () -> reports.merge(e.line().jobId(),
                JobReport.empty(e.line().jobId()).with(e.line()), (old, fresh) -> old.with(e.line()))));
          }
          if (!closed) setProblem(true, "the status follower on " + ssh.endpoint().display() + " ended; restarting it");
        } catch (IOException | RuntimeException e) {
          if (closed) return;
          setProblem(true, "status follower on " + ssh.endpoint().display() + ": " + e.getMessage() + "; reconnecting");
        }
      }
      if (!sleep(backoff)) return;
      backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
    }
  }

  private void poll() {
    SlurmClient slurm = new SlurmClient(ssh);
    while (!closed) {
      List<String> ids;
      synchronized (lock) {
        ids = List.copyOf(watched.keySet());
      }
      if (!ids.isEmpty()) {
        try {
          List<SlurmJob> jobs = slurm.jobsById(ids);
          changed(() -> {
            squeueProblem = null;
            squeueRuns++;
            Set<String> found = new HashSet<>();
            for (SlurmJob j : jobs) {
              squeued.put(j.id(), j);
              found.add(j.id());
            }
            for (String id : ids) {
              if (!found.contains(id)) gone.add(id);
            }
          });
        } catch (IOException | RuntimeException e) {
          if (closed) return;
          setProblem(false, "squeue on " + ssh.endpoint().display() + ": " + e.getMessage());
        }
      }
      if (!sleep(squeueEvery.toMillis())) return;
    }
  }

  private void changed(Runnable... updates) {
    synchronized (lock) {
      for (Runnable u : updates) u.run();
      version++;
      lock.notifyAll();
    }
  }

  private void setProblem(boolean following, String p) {
    synchronized (lock) {
      if (following) followProblem = p;
      else squeueProblem = p;
    }
  }

  /** Sleeps unless closed; false when closed. */
  private boolean sleep(long millis) {
    synchronized (lock) {
      long until = System.nanoTime() + millis * 1_000_000;
      while (!closed) {
        long left = until - System.nanoTime();
        if (left <= 0) return true;
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          return false;
        }
      }
      return false;
    }
  }

  /** Tests: keeps the follower from reconnecting, so that lines written meanwhile are missed by the channel. */
  void holdReconnectsForTest(boolean hold) {
    holdReconnects = hold;
  }

  SshConnection connectionForTest() {
    return ssh;
  }

  @Override
  public void close() {
    SshStreaming s;
    synchronized (lock) {
      closed = true;
      s = stream;
      lock.notifyAll();
    }
    if (s != null) s.close();
    letGo.run();
  }
}

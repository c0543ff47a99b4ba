package ai.dynamo.deploy.activities.slurm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Lets concurrent calls with the same key (the activities of one wave of one deploy run) share one remote command.
 * The first caller leads: it waits until {@code quiet} has passed since the latest caller joined (at most {@code most}),
 * runs the batch for everyone who joined, hands each caller its own outcome, and, when more callers arrived while the
 * batch ran, makes one of them lead the next batch. A caller that is alone pays only {@code quiet}. The window
 * stretches while callers keep coming because a wave's activities reach the worker's threads over tens of
 * milliseconds on a busy host: a straggler left for the next batch waits for the whole remote command before its
 * own. A caller that knows how many can come at most (the components of its wave) lets the leader go as soon as they
 * all joined, without the quiet wait. Nothing in the workflow changes: each activity still returns or fails on its
 * own.
 *
 * @param <Q> a caller's request
 * @param <R> a caller's result
 */
final class Coalescer<Q, R> {
  /** Runs one batch: one outcome per request, in the requests' order; an exception fails every caller alike. */
  interface Batch<Q, R> {
    List<Outcome<R>> run(List<Q> requests);
  }

  /** One caller's result or its own failure. */
  record Outcome<R>(R value, RuntimeException failure) {
    static <R> Outcome<R> ok(R value) {
      return new Outcome<>(value, null);
    }

    static <R> Outcome<R> failed(RuntimeException failure) {
      return new Outcome<>(null, failure);
    }
  }

  private final class Waiting {
    final Q request;
    final CompletableFuture<Outcome<R>> answer = new CompletableFuture<>();
    /** completed when this caller is to lead the next batch (which includes it) */
    final CompletableFuture<Void> lead = new CompletableFuture<>();
    /** When it joined ({@link System#nanoTime()}): the latest of a queue stretches the leader's window. */
    final long joined = System.nanoTime();

    Waiting(Q request) {
      this.request = request;
    }
  }

  private final Duration quiet;
  private final Duration most;
  private final int maxBatch;
  private final Map<String, List<Waiting>> queued = new HashMap<>();
  private final Set<String> leading = new HashSet<>();

  /**
   * @param quiet the leader runs the batch once no caller has joined for this long
   * @param most the longest the leader waits in all, however many keep joining
   * @param maxBatch the most callers one batch serves (a remote command line has a size limit)
   */
  Coalescer(Duration quiet, Duration most, int maxBatch) {
    if (quiet.compareTo(most) > 0) throw new IllegalArgumentException("quiet " + quiet + " is longer than most " + most);
    this.quiet = quiet;
    this.most = most;
    this.maxBatch = maxBatch;
  }

  /** For {@link #submit}: how many callers come together is not known; the quiet time alone ends the gathering. */
  static final int UNKNOWN_CALLERS = Integer.MAX_VALUE;

  /**
   * The caller's outcome, from a batch it shares with whoever calls with the same key at about the same time. At most
   * {@code callers} calls with this key can come together (this one included): the batch goes once that many have
   * joined. More would wait for a second batch, so callers must not undercount ({@link #UNKNOWN_CALLERS} when unsure).
   */
  R submit(String key, Q request, int callers, Batch<Q, R> batch) {
    Waiting me = new Waiting(request);
    boolean lead;
    synchronized (this) {
      queued.computeIfAbsent(key, k -> new ArrayList<>()).add(me);
      lead = leading.add(key);
      notifyAll(); // a gathering leader counts the callers
    }
    if (lead) {
      gather(key, Math.min(Math.max(callers, 1), maxBatch));
      runBatches(key, batch);
    }
    await(CompletableFuture.anyOf(me.answer, me.lead));
    if (!me.answer.isDone()) runBatches(key, batch); // promoted: those who arrived meanwhile, this caller included
    Outcome<R> outcome = await(me.answer);
    if (outcome.failure() != null) throw outcome.failure();
    return outcome.value();
  }

  /**
   * The leader's wait: until {@code quiet} after the latest caller joined, or {@code most} after it began, or until
   * {@code callers} have joined.
   */
  private synchronized void gather(String key, int callers) {
    long deadline = System.nanoTime() + most.toNanos();
    while (true) {
      List<Waiting> q = queued.get(key); // holds the leader itself until the batch is taken
      if (q.size() >= callers) return;
      long wait = Math.min(q.get(q.size() - 1).joined + quiet.toNanos(), deadline) - System.nanoTime();
      if (wait <= 0) return;
      try {
        TimeUnit.NANOSECONDS.timedWait(this, wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Runs one batch of everything queued, then hands the lead to a caller of the next batch (or gives it up). */
  private void runBatches(String key, Batch<Q, R> batch) {
    List<Waiting> taken;
    synchronized (this) {
      List<Waiting> all = queued.getOrDefault(key, new ArrayList<>());
      taken = new ArrayList<>(all.subList(0, Math.min(maxBatch, all.size())));
      all.subList(0, taken.size()).clear();
    }
    if (!taken.isEmpty()) {
      List<Outcome<R>> outcomes;
      try {
        outcomes = batch.run(taken.stream().map(w -> w.request).toList());
        if (outcomes.size() != taken.size()) {
          throw new IllegalStateException(outcomes.size() + " outcomes for " + taken.size() + " requests");
        }
      } catch (RuntimeException e) {
        outcomes = taken.stream().map(w -> Outcome.<R>failed(e)).toList();
      } catch (Error e) { // every caller must get an answer, whatever happened
        IllegalStateException failure = new IllegalStateException("a shared remote command failed: " + e, e);
        outcomes = taken.stream().map(w -> Outcome.<R>failed(failure)).toList();
      }
      for (int i = 0; i < taken.size(); i++) taken.get(i).answer.complete(outcomes.get(i));
    }
    synchronized (this) {
      List<Waiting> next = queued.get(key);
      if (next == null || next.isEmpty()) {
        leading.remove(key);
        queued.remove(key);
      } else {
        next.get(0).lead.complete(null); // that caller leads the next batch
      }
    }
  }

  /** Bounded: the leader's batch ends within its remote commands' bounds and always completes every answer. */
  private static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a shared remote command", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }
}

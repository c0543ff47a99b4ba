package ai.dynamo.deploy.activities.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Independent API calls (access reviews, GETs of objects, LISTs of kinds) sent a few at a time instead of one after
 * another: on a real cluster each is a round trip, and preflight makes dozens. Results keep the order of the inputs;
 * the first failure (in input order) is thrown as it was, so callers translate it as before. Each call keeps the
 * client's own request timeout.
 */
final class ParallelCalls {
  /** Calls in flight at once: enough to hide round trips, few enough not to crowd the API server's rate limits. */
  static final int AT_ONCE = 8;

  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ExecutorService POOL = Executors.newFixedThreadPool(AT_ONCE, r -> {
    Thread t = new Thread(r, "dynamo-k8s-call-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    return t;
  });

  private ParallelCalls() {}

  /** {@code call} applied to every input, in parallel; the results in input order. */
  static <T, R> List<R> map(List<T> inputs, Function<T, R> call) {
    if (inputs.size() <= 1) return inputs.stream().map(call).toList();
    List<CompletableFuture<R>> futures = new ArrayList<>();
    for (T input : inputs) futures.add(CompletableFuture.supplyAsync(() -> call.apply(input), POOL));
    List<R> out = new ArrayList<>();
    RuntimeException first = null;
    for (CompletableFuture<R> f : futures) {
      try {
        out.add(f.join());
      } catch (CompletionException e) {
        if (first == null) first = e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    if (first != null) throw first;
    return out;
  }
}

package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Callers that arrive together share one batch, each with its own result or failure; keys never mix. */
class CoalescerTest {

  @Test
  void callersArrivingTogetherShareOneBatchAndGetTheirOwnOutcome() throws Exception {
    List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
    Coalescer<Integer, String> c = new Coalescer<>(Duration.ofMillis(300), Duration.ofMillis(300), 100);
    Coalescer.Batch<Integer, String> batch = requests -> {
      batches.add(requests);
      return requests.stream().map(r -> r == 3 ? Coalescer.Outcome.<String>failed(new IllegalStateException("no 3"))
          : Coalescer.Outcome.ok("done " + r)).toList();
    };
    ExecutorService pool = Executors.newFixedThreadPool(6);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      int request = i;
      results.add(pool.submit(() -> {
        go.await();
        return c.submit("deploy-1", request, Coalescer.UNKNOWN_CALLERS, batch);
      }));
    }
    go.countDown();
    for (int i = 0; i < 6; i++) {
      if (i == 3) {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, results.get(i)::get);
        assertTrue(e.getCause() instanceof IllegalStateException && e.getCause().getMessage().equals("no 3"), "" + e);
      } else {
        assertEquals("done " + i, results.get(i).get(10, TimeUnit.SECONDS));
      }
    }
    assertEquals(1, batches.size(), "one batch for the six: " + batches);
    assertEquals(6, batches.get(0).size());
    pool.shutdown();
  }

  @Test
  void callersArrivingWhileABatchRunsFormTheNextBatchAndKeysNeverMix() throws Exception {
    List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Coalescer<String, String> c = new Coalescer<>(Duration.ZERO, Duration.ZERO, 2);
    Coalescer.Batch<String, String> batch = requests -> {
      batches.add(requests);
      if (requests.contains("a1")) {
        firstRunning.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
      return requests.stream().map(r -> Coalescer.Outcome.ok(r.toUpperCase())).toList();
    };
    ExecutorService pool = Executors.newFixedThreadPool(5);
    Future<String> a1 = pool.submit(() -> c.submit("a", "a1", Coalescer.UNKNOWN_CALLERS, batch));
    assertTrue(firstRunning.await(10, TimeUnit.SECONDS));
    List<Future<String>> later = new ArrayList<>();
    for (String r : List.of("a2", "a3", "a4")) {
      later.add(pool.submit(() -> c.submit("a", r, Coalescer.UNKNOWN_CALLERS, batch)));
    }
    Future<String> b1 = pool.submit(() -> c.submit("b", "b1", Coalescer.UNKNOWN_CALLERS, batch));
    assertEquals("B1", b1.get(10, TimeUnit.SECONDS), "another key does not wait for a's batch");
    Thread.sleep(200); // a2..a4 queue behind the running batch
    release.countDown();
    assertEquals("A1", a1.get(10, TimeUnit.SECONDS));
    for (int i = 0; i < 3; i++) assertEquals("A" + (i + 2), later.get(i).get(10, TimeUnit.SECONDS));
    List<String> sizes = batches.stream().filter(b -> b.get(0).startsWith("a")).map(b -> "" + b.size()).toList();
    assertEquals(List.of("1", "2", "1"), sizes, "the three that waited went in batches of at most 2: " + batches);
    pool.shutdown();
  }

  @Test
  void aBatchThatThrowsFailsEveryCallerOfThatBatch() {
    Coalescer<String, String> c = new Coalescer<>(Duration.ZERO, Duration.ZERO, 10);
    RuntimeException down = new IllegalStateException("login node unreachable");
    RuntimeException thrown = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
        () -> c.submit("k", "x", Coalescer.UNKNOWN_CALLERS, requests -> {
          throw down;
        }));
    assertEquals(down, thrown);
    assertEquals("Y", c.submit("k", "y", Coalescer.UNKNOWN_CALLERS, requests -> List.of(Coalescer.Outcome.ok("Y"))),
        "the key is usable again");
  }
  /** The batches of {@code callers} that call one after another, {@code gapMs} apart. */
  private static List<List<Integer>> staggered(Coalescer<Integer, Integer> c, int callers, long gapMs)
      throws Exception {
    List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
    Coalescer.Batch<Integer, Integer> batch = requests -> {
      batches.add(requests);
      return requests.stream().map(Coalescer.Outcome::ok).toList();
    };
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    List<Future<Integer>> results = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      int request = i;
      results.add(pool.submit(() -> c.submit("wave", request, Coalescer.UNKNOWN_CALLERS, batch)));
      Thread.sleep(gapMs);
    }
    for (int i = 0; i < callers; i++) assertEquals(i, results.get(i).get(10, TimeUnit.SECONDS));
    pool.shutdown();
    return batches;
  }

  @Test
  void theWindowStretchesWhileCallersKeepJoining() throws Exception {
    // Five callers 60 ms apart: the last joins 240 ms after the first, past a fixed window of 150 ms (next test).
    List<List<Integer>> batches = staggered(new Coalescer<>(Duration.ofMillis(150), Duration.ofSeconds(5), 100), 5,
        60);
    assertEquals(List.of(List.of(0, 1, 2, 3, 4)), batches, "one batch: each joined within the quiet time");
  }

  @Test
  void aFixedWindowLeavesLateCallersForTheNextBatch() throws Exception {
    // quiet == most: a fixed window from the first caller.
    List<List<Integer>> batches = staggered(new Coalescer<>(Duration.ofMillis(150), Duration.ofMillis(150), 100), 5,
        60);
    assertTrue(batches.size() >= 2 && batches.get(0).size() < 5, "the window did not stretch: " + batches);
  }

  @Test
  void theLeaderWaitsAtMostTheBoundHoweverManyKeepJoining() throws Exception {
    // 12 callers 100 ms apart (1.1 s in all), quiet 300 ms, bound 400 ms: the first batch closes at ~400 ms.
    List<List<Integer>> batches = staggered(new Coalescer<>(Duration.ofMillis(300), Duration.ofMillis(400), 100),
        12, 100);
    assertTrue(batches.size() >= 2 && batches.get(0).size() < 12, "the bound did not end the wait: " + batches);
  }

  @Test
  void theBatchGoesAsSoonAsEveryExpectedCallerJoined() throws Exception {
    // A quiet time of a minute: only the count can end the gathering before the futures' 20 s bound.
    Coalescer<Integer, String> c = new Coalescer<>(Duration.ofSeconds(60), Duration.ofSeconds(60), 100);
    List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
    Coalescer.Batch<Integer, String> batch = requests -> {
      batches.add(requests);
      return requests.stream().map(r -> Coalescer.Outcome.ok("done " + r)).toList();
    };
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int request = i;
      results.add(pool.submit(() -> c.submit("wave", request, 3, batch)));
    }
    for (int i = 0; i < 3; i++) assertEquals("done " + i, results.get(i).get(20, TimeUnit.SECONDS));
    assertEquals(1, batches.size(), "all three in one batch: " + batches);
    // A wave of one goes at once.
    assertEquals("done 7", pool.submit(() -> c.submit("alone", 7, 1, batch)).get(20, TimeUnit.SECONDS));
    pool.shutdownNow();
  }

  @Test
  void quietLongerThanTheBoundIsRefused() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new Coalescer<String, String>(Duration.ofSeconds(1), Duration.ofMillis(10), 10));
  }
}

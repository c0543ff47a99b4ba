package ai.dynamo.deploy.activities.k8s;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParallelCallsTest {
  @Test
  void resultsKeepTheOrderOfTheInputs() {
    List<Integer> in = IntStream.range(0, 50).boxed().toList();
    assertEquals(IntStream.range(0, 50).map(i -> i * i).boxed().toList(), ParallelCalls.map(in, i -> i * i));
  }

  @Test
  void callsRunAtTheSameTime() {
    // Every call waits until all of the first AT_ONCE have started: only possible when they run side by side.
    CountDownLatch started = new CountDownLatch(ParallelCalls.AT_ONCE);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    List<Boolean> met = ParallelCalls.map(IntStream.range(0, ParallelCalls.AT_ONCE).boxed().toList(), i -> {
      threads.add(Thread.currentThread().getName());
      started.countDown();
      try {
        return started.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertEquals(ParallelCalls.AT_ONCE, met.stream().filter(b -> b).count());
    assertEquals(ParallelCalls.AT_ONCE, threads.size());
  }

  @Test
  void theFirstFailureInInputOrderIsThrownAsItWas() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ParallelCalls.map(List.of(1, 2, 3, 4),
        i -> {
          if (i >= 2) throw new IllegalStateException("call " + i);
          return i;
        }));
    assertEquals("call 2", e.getMessage());
  }
}

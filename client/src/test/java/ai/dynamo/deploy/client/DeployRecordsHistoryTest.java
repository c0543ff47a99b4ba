package ai.dynamo.deploy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionStatus;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link DeployRecords#history}: the reader's answer as it is, its failure as it is, and a bound on the whole read. */
@Timeout(30)
class DeployRecordsHistoryTest {
  private static final TargetSpec PLACE = new TargetSpec("slurm", "alice@login1:22", Map.of());

  @Test
  void theRecordsAsTheTargetReadsThem() {
    List<RevisionEntry> read = List.of(
        new RevisionEntry(1, 1_000L, "d1", RevisionStatus.SUPERSEDED, "alice@ws", null, "deploy/x", "r1"),
        new RevisionEntry(2, 2_000L, "d2", RevisionStatus.READY, "bob@ws", "rolled back to 1", "deploy/x", "r2"));
    List<Object> asked = new java.util.ArrayList<>();
    List<RevisionEntry> history = DeployRecords.history((graph, target) -> {
      asked.add(graph);
      asked.add(target);
      return read;
    }, "g", PLACE, Duration.ofSeconds(5));
    assertEquals(read, history);
    assertEquals(List.of("g", PLACE), asked);
  }

  @Test
  void aFailureOfTheReadIsThrownAsItIs() {
    RuntimeException refused = new IllegalStateException("cannot connect to login1:22: Connection refused");
    RuntimeException thrown = assertThrows(RuntimeException.class, () -> DeployRecords.history((graph, target) -> {
      throw refused;
    }, "g", PLACE, Duration.ofSeconds(5)));
    assertSame(refused, thrown);
  }

  @Test
  void aTargetThatDoesNotAnswerEndsTheWaitNamingIt() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    long start = System.nanoTime();
    TargetUnreachableException e = assertThrows(TargetUnreachableException.class, () -> DeployRecords.history(
        (graph, target) -> {
          try {
            never.await(); // a target that ignores its own bounds
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
          }
          return List.of();
        }, "g", PLACE, Duration.ofMillis(300)));
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "bounded");
    assertEquals("cannot read the records of g on slurm@alice@login1:22: no answer within 0.3 s (--request-timeout)",
        e.getMessage());
  }
}

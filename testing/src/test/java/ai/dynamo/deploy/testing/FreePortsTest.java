package ai.dynamo.deploy.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  @Test
  void aPortOfferedAgainIsSkippedNotHandedOutTwice() {
    FreePorts ports = new FreePorts();
    Iterator<Integer> offers = List.of(40001, 40001, 40003, 40003, 40001, 40005).iterator();
    assertArrayEquals(new int[] {40001, 40003}, ports.pick(2, offers::next));
    assertArrayEquals(new int[] {40005}, ports.pick(1, offers::next));
  }

  @Test
  void offersOfOnlyOldPortsEndTheSearchWithAMessage() {
    FreePorts ports = new FreePorts();
    ports.pick(1, () -> 40001);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ports.pick(1, () -> 40001));
    assertEquals("no new free port in " + FreePorts.MAX_OFFERS + " offers below the ephemeral range; 1 handed out in"
        + " this JVM already", e.getMessage());
  }

  @Test
  void portsTakenAreDistinctFreeAndBelowTheEphemeralRange() throws IOException {
    Set<Integer> seen = new HashSet<>();
    int ephemeral = FreePorts.ephemeralStart();
    for (int round = 0; round < 10; round++) {
      int[] taken = round % 2 == 0 ? FreePorts.take(5) : new int[] {FreePorts.take()};
      for (int port : taken) {
        assertTrue(seen.add(port), "port " + port + " handed out twice");
        // bind(0) and outgoing connections get ports of the ephemeral range: one there could be taken any moment
        assertTrue(port >= FreePorts.FLOOR && port < ephemeral, port + " is not in [" + FreePorts.FLOOR + ", "
            + ephemeral + ")");
        try (ServerSocket bound = new ServerSocket(port)) {
          assertEquals(port, bound.getLocalPort());
        }
      }
    }
    assertEquals(5 * 5 + 5, seen.size());
  }

  @Test
  void concurrentCallersNeverShareAPort() {
    List<Integer> handedOut = IntStream.range(0, 8).parallel()
        .flatMap(i -> IntStream.of(FreePorts.take(10)))
        .boxed().toList();
    assertEquals(80, handedOut.size());
    assertEquals(80, new HashSet<>(handedOut).size(), "a port went to two callers: " + handedOut);
  }
}

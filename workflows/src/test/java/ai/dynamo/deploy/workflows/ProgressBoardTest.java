package ai.dynamo.deploy.workflows;

import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressBoardTest {
  static DeployRequest request(int components) {
    List<Component> list = new ArrayList<>();
    for (int i = 0; i < components; i++) list.add(DeployPlansTest.component("c" + i, "dyn://a.b.c", 2, 1));
    Graph g = new Graph("1.0", "graph", list);
    return new DeployRequest(g, "d", new TargetSpec("slurm", "login1", Map.of()),
        new DeployOptions(Duration.ofMinutes(1), Duration.ofMinutes(1), "me"));
  }

  @Test
  void sinceMovesOnlyOnPhaseChange() {
    ProgressBoard board = new ProgressBoard(request(1), 100);
    board.component("c0", ComponentPhase.WAITING, 0, 2, "applied", 200);
    board.component("c0", ComponentPhase.WAITING, 1, 2, "1/2 ready", 300);
    ComponentProgress c = board.snapshot().components().get(0);
    assertEquals(200, c.sinceEpochMillis());
    assertEquals(1, c.ready());
    assertEquals("1/2 ready", c.message());
    board.component("c0", ComponentPhase.READY, 400);
    c = board.snapshot().components().get(0);
    assertEquals(400, c.sinceEpochMillis());
    assertEquals("1/2 ready", c.message(), "keeps the last message");
    assertEquals(400, board.snapshot().updatedEpochMillis());
  }

  @Test
  void markdownHasHeaderAndARowPerComponentAndEscapesPipes() {
    ProgressBoard board = new ProgressBoard(request(2), 0);
    board.revision(3, 1);
    board.phase(Phase.WAITING, "waiting for c0", 1);
    board.component("c0", ComponentPhase.WAITING, 1, 2, "pod a|b: Pending", 2);
    String md = board.markdown();
    assertTrue(md.startsWith("**WAITING** · rev 3 · graph → slurm@login1\n"), md);
    assertTrue(md.contains("| c0 | WAITING | 1/2 | pod a\\|b: Pending |"), md);
    assertTrue(md.contains("| c1 | PENDING | 0/2 |  |"), md);
  }

  @Test
  void markdownStaysSmallForLargeGraphs() {
    ProgressBoard board = new ProgressBoard(request(1000), 0);
    board.component("c999", ComponentPhase.READY, 2, 2, "", 1);
    String md = board.markdown();
    assertTrue(md.contains("975 more components; 1 of 1000 ready in total"), md);
    assertTrue(md.length() < 4000, "details are " + md.length() + " chars");
  }
}

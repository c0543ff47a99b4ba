package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** {@code dynamo deploy history}'s table, as docs/operating.md shows it, for a graph deployed twice. */
final class HistoryTables {
  private HistoryTables() {}

  /**
   * @param table the history read from the target (exit 0, revision 1 superseded by the live revision 2)
   * @param byName the same history found by name through Temporal: the tables are the same
   */
  static void assertTwoRevisions(CliRun table, CliRun byName) {
    assertEquals(ExitCodes.OK, table.exitCode(), table.out() + table.err());
    List<String> lines = table.out().lines().toList();
    assertEquals(3, lines.size(), table.out());
    assertEquals("REVISION  UPDATED (UTC)        STATUS       STARTED BY       DIGEST        DESCRIPTION",
        lines.get(0));
    assertTrue(lines.get(1).matches("1 {9}\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  SUPERSEDED .*"), lines.get(1));
    assertTrue(lines.get(2).matches("2 {9}\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  READY .*"), lines.get(2));
    assertEquals(byName.out(), table.out(), "the same table as by name, through Temporal");
  }
}

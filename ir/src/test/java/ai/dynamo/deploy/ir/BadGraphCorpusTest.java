package ai.dynamo.deploy.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad graph file gives exactly its expected problems, and nothing loads from it. */
class BadGraphCorpusTest {

  static Stream<BadGraphCorpus> corpus() {
    return BadGraphCorpus.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void reportsExactlyTheExpectedProblems(BadGraphCorpus c) {
    assertFalse(c.expected().isEmpty(), c.name() + ": an .expected file must name at least one problem");
    assertEquals(c.expected(), c.actual(), c.name());
    LoadResult r = GraphLoader.load(c.file(), c.target());
    assertFalse(r.ok(), c.name());
    assertNull(r.graph(), c.name());
  }

  @Test
  void theCorpusIsLargeEnough() {
    assertTrue(BadGraphCorpus.all().count() >= 40, "the issue asks for at least 40 bad graph files");
  }
}

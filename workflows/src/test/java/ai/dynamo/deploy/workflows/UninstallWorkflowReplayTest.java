package ai.dynamo.deploy.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the recorded uninstall histories ({@code histories/uninstall/}, recorded by
 * {@link RecordUninstallHistories}) against the current {@link UninstallWorkflowImpl}, as
 * {@link DeployWorkflowReplayTest} does for deploys.
 */
class UninstallWorkflowReplayTest {
  static final Path DIR = DeployWorkflowReplayTest.DIR.resolve("uninstall");

  private static ReplayFixture replay;

  @BeforeAll
  static void replayWorker() {
    replay = new ReplayFixture(UninstallWorkflowImpl.class);
  }

  @AfterAll
  static void close() {
    replay.close();
  }

  static List<Path> histories() throws IOException {
    List<Path> found = ReplayFixture.recorded(DIR);
    assertEquals(List.of("cancelled.json", "failed.json", "uninstalled.json"),
        found.stream().map(p -> p.getFileName().toString()).toList(), "recorded uninstall histories in " + DIR);
    return found;
  }

  @ParameterizedTest
  @MethodSource("histories")
  void replaysWithoutNonDeterminism(Path history) throws Exception {
    replay.replay(history);
  }
}

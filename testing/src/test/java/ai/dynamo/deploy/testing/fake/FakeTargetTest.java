package ai.dynamo.deploy.testing.fake;

import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.MultiNode;
import ai.dynamo.deploy.ir.Resources;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RollbackRequest;
import ai.dynamo.deploy.workflows.Stage;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FakeTargetTest {
  static final Component ENGINE =
      new Component("engine", "img", Component.DEFAULT_CMD, "dyn://a.b.c", "vllm", List.of(), 1, Resources.NONE,
          List.of(), List.of(), Map.of(), MultiNode.SINGLE, null);

  static DeployContext ctx(Map<String, String> settings) {
    Graph g = new Graph("1.0", "g", List.of(ENGINE));
    return new DeployContext(
        DeployRequest.of(g, new TargetSpec("fake", "lab", settings), DeployOptions.defaults("me")),
        "deploy/fake/lab/g", "run");
  }

  @Test
  void stateInADirectorySurvivesANewInstance(@TempDir Path dir) {
    FakeTarget first = new FakeTarget(dir);
    first.apply(ctx(Map.of()), 1, ENGINE, Stage.ALL);
    first.recordRevision(ctx(Map.of()), new RevisionRecord(1, "d", "me", "w", "r", 1));
    assertTrue(Files.exists(dir.resolve("fake-state.json")));

    FakeTarget second = new FakeTarget(dir);
    assertEquals(1, second.liveRevision("lab", "g"));
    assertEquals(Map.of("engine", 1), second.running("lab", "g"));
    assertEquals(1, second.currentRevision(ctx(Map.of())));
  }

  @Test
  void applyIsIdempotentAndRollbackOfAFirstInstallRemovesEverything() {
    FakeTarget fake = new FakeTarget();
    fake.apply(ctx(Map.of()), 1, ENGINE, Stage.ALL);
    fake.apply(ctx(Map.of()), 1, ENGINE, Stage.ALL);
    assertEquals(Map.of("engine", 1), fake.running("lab", "g"));
    fake.rollback(ctx(Map.of()), new RollbackRequest(1, 0, List.of("engine"), "test"), null);
    assertEquals(Map.of(), fake.running("lab", "g"));
    assertEquals(0, fake.liveRevision("lab", "g"));
  }

  @Test
  void unknownAndMalformedSettingsAreReported() {
    List<String> problems =
        new FakeTarget().validate(ctx(Map.of("fake.readyAfter", "1", "fake.readyAfterSeconds.engine", "x")));
    assertTrue(problems.contains("unknown setting fake.readyAfter"), problems.toString());
    assertTrue(problems.contains("fake.readyAfterSeconds.engine must be a whole number, not x"), problems.toString());
  }
}

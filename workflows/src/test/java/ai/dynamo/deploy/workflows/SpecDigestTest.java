package ai.dynamo.deploy.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SpecDigest#previousForm} is the digest versions before the stable graph digest computed: the update
 * histories were recorded by such a version, and their stored request carries its digest.
 */
class SpecDigestTest {

  @ParameterizedTest
  @ValueSource(strings = {"update-unchanged.json", "update-partial.json", "update-recreate-rollback.json"})
  void thePreviousFormReproducesTheDigestAnOlderVersionRecorded(String name) throws Exception {
    DeployRequest stored = startRequest(DeployWorkflowReplayTest.DIR.resolve(name));
    assertEquals(stored.specDigest(), SpecDigest.previousForm(stored.graph(), stored.target()));
    assertNotEquals(stored.specDigest(), SpecDigest.of(stored.graph(), stored.target()),
        "today's form differs for this graph (it has null fields and empty lists), so the previous form is needed");
  }

  /** The request a recorded history's workflow was started with. */
  private static DeployRequest startRequest(Path history) throws Exception {
    var input = WorkflowExecutionHistory.fromJson(Files.readString(history)).getHistory().getEvents(0)
        .getWorkflowExecutionStartedEventAttributes().getInput();
    return DefaultDataConverter.newDefaultInstance()
        .fromPayloads(0, Optional.of(input), DeployRequest.class, DeployRequest.class);
  }
}

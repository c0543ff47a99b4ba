package ai.dynamo.deploy.client;

import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.workflows.ComponentPhase;
import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.ReadinessHeartbeat;
import ai.dynamo.deploy.workflows.Stage;
import io.temporal.api.common.v1.ActivityType;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveProgressTest {
  static final DataConverter CONVERTER = DefaultDataConverter.STANDARD_INSTANCE;

  static PendingActivityInfo pending(String type, ReadinessHeartbeat beat) {
    return PendingActivityInfo.newBuilder()
        .setActivityType(ActivityType.newBuilder().setName(type))
        .setHeartbeatDetails(CONVERTER.toPayloads(beat).orElseThrow())
        .build();
  }

  static DeployProgress progress(ComponentProgress... components) {
    return new DeployProgress("g", "fake@lab", Phase.WAITING, 1, "", List.of(components), 0, 0);
  }

  @Test
  void heartbeatsReplaceCountsAndMessagesOfWaitingComponents() {
    DeployProgress p =
        progress(
            new ComponentProgress("a", ComponentPhase.WAITING, 0, 4, "applied", 5),
            new ComponentProgress("group", ComponentPhase.WAITING_WORKERS, 2, 6, "", 6),
            new ComponentProgress("done", ComponentPhase.READY, 1, 1, "1/1 ready", 7));
    DeployProgress live =
        LiveProgress.overlay(
            p,
            List.of(
                pending("AwaitReady", new ReadinessHeartbeat("a", Stage.ALL, 3, 4, "pod a-3: Pending", 1, "")),
                pending("AwaitReady", new ReadinessHeartbeat("group", Stage.WORKERS, 1, 4, "", 1, "")),
                pending("Apply", new ReadinessHeartbeat("done", Stage.ALL, 0, 1, "x", 1, ""))),
            CONVERTER);
    assertEquals(3, live.components().get(0).ready());
    assertEquals("pod a-3: Pending", live.components().get(0).message());
    assertEquals(5, live.components().get(0).sinceEpochMillis());
    assertEquals(3, live.components().get(1).ready(), "2 leaders ready + 1 of 4 workers");
    assertEquals(p.components().get(2), live.components().get(2), "only waits are overlaid");
  }

  @Test
  void withoutHeartbeatsTheQueryAnswerIsReturnedAsIs() {
    DeployProgress p = progress(new ComponentProgress("a", ComponentPhase.WAITING, 0, 1, "", 0));
    assertSame(p, LiveProgress.overlay(p, List.of(), CONVERTER));
  }
}

package ai.dynamo.deploy.client;

import ai.dynamo.deploy.ir.TestGraphs;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.fake.FakeDeploys;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowStub;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A 1,000-component graph deploys with a history well under Temporal's 10,240-event warning. */
@Timeout(300)
class HistorySizeTest {
  static final int COMPONENTS = 1000;

  @Test
  void thousandComponentsStayWellUnderTheEventWarning() {
    assertBudget(Map.of());
  }

  /** Components become ready at different times, so completions do not share workflow tasks. */
  @Test
  void thousandComponentsReadyAtDifferentTimesStayUnderTheBudgetToo() {
    Map<String, String> settings = new java.util.HashMap<>(Map.of("fake.pollMillis", "100"));
    for (int i = 0; i < COMPONENTS; i++) settings.put("fake.readyAfterSeconds.engine_" + i, Integer.toString(i % 6));
    assertBudget(settings);
  }

  private static void assertBudget(Map<String, String> settings) {
    try (DeployEnvironment env = DeployEnvironment.withFakeTarget()) {
      WorkflowStub stub = Deploys.start(env.client(), FakeDeploys.request(TestGraphs.wide(COMPONENTS), settings));
      DeployResult result = DeployOutcomes.await(stub);
      assertEquals(Phase.READY, result.phase(), result.message());

      List<HistoryEvent> events = env.history(stub);
      double perComponent = (double) events.size() / COMPONENTS;
      System.err.printf("history of a %d-component deploy: %d events (%.2f per component)%n",
          COMPONENTS, events.size(), perComponent);
      assertTrue(events.size() < 8_192, "history has " + events.size() + " events");
      assertTrue(perComponent <= 8.0, "events per component: " + perComponent);
      // Activity inputs stay small: the IR is in the start event only.
      long biggestScheduled =
          events.stream()
              .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
              .mapToLong(e -> e.getActivityTaskScheduledEventAttributes().getInput().getSerializedSize())
              .max()
              .orElseThrow();
      assertTrue(biggestScheduled < 512, "largest activity input is " + biggestScheduled + " bytes");
    }
  }
}

package ai.dynamo.deploy.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.TestGraphs;
import ai.dynamo.deploy.workflows.DeployActivities;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.TargetSpec;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Validate activity lets the target prepare its first contact ({@link DeployTarget#prepare}: the Slurm target's
 * login ahead) only once the graph and settings are valid for it: an invalid deploy never reaches out.
 */
class ValidateThenPrepareTest {
  private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();

  @AfterEach
  void close() {
    env.close();
  }

  /** Says the settings are invalid when told to; records the contexts it was asked to prepare for. */
  static final class Preparing extends DeployTargetDefaultsTest.Minimal {
    final List<DeployContext> prepared = new ArrayList<>();
    final List<String> problems;

    Preparing(List<String> problems) {
      super("preparing");
      this.problems = problems;
    }

    @Override
    public List<String> validate(DeployContext ctx) {
      return problems;
    }

    @Override
    public void prepare(DeployContext ctx) {
      prepared.add(ctx);
    }
  }

  private DeployActivities activities(DeployTarget target) {
    DeployRequest request = DeployRequest.of(TestGraphs.small(), new TargetSpec("preparing", "x", Map.of()),
        DeployOptions.defaults("test"));
    env.registerActivitiesImplementations(
        new DeployActivitiesImpl(new DeployTargets().register(target), activity -> request, Clock.systemUTC()));
    return env.newActivityStub(DeployActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(30))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build()).build());
  }

  @Test
  void aValidDeployIsPreparedOnceWithItsOwnContext() {
    Preparing target = new Preparing(List.of());
    activities(target).validate();
    assertEquals(1, target.prepared.size());
    assertEquals(TestGraphs.small().name(), target.prepared.get(0).graph().name());
    assertEquals("preparing", target.prepared.get(0).target().kind());
  }

  @Test
  void anInvalidDeployIsNeverPrepared() {
    Preparing target = new Preparing(List.of("sshHost is not set"));
    ActivityFailure failure = assertThrows(ActivityFailure.class, () -> activities(target).validate());
    assertTrue(failure.getCause().getMessage().contains("sshHost is not set"), failure.getCause().getMessage());
    assertEquals(List.of(), target.prepared);
  }
}

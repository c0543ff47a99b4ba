package ai.dynamo.deploy.activities;

import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.fake.FakeTarget;
import ai.dynamo.deploy.workflows.DeployFailures;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeployTargetsTest {

  @Test
  void fakeIsRegisteredOnlyWhenEnabled() {
    assertFalse(new DeployTargets().registerFakeIfEnabled(Map.of()).has("fake"));
    assertFalse(new DeployTargets().registerFakeIfEnabled(Map.of("DYNAMO_ENABLE_FAKE_TARGET", "0")).has("fake"));
    assertTrue(new DeployTargets().registerFakeIfEnabled(Map.of("DYNAMO_ENABLE_FAKE_TARGET", "1")).has("fake"));
    assertTrue(new DeployTargets().registerFakeIfEnabled(Map.of("DYNAMO_ENABLE_FAKE_TARGET", "true")).has("fake"));
  }

  @Test
  void unknownKindIsInvalidInputNamingWhatTheWorkerServes() {
    DeployTargets targets = new DeployTargets().register(new FakeTarget());
    TargetFailure f = assertThrows(TargetFailure.class, () -> targets.get("k8s"));
    assertEquals(DeployFailures.INVALID_IR, f.type());
    assertTrue(f.nonRetryable());
    assertTrue(f.getMessage().contains("no target \"k8s\" (it serves: fake)"), f.getMessage());
  }

  @Test
  void transientFailuresAreRetryable() {
    assertFalse(TargetFailure.transientFailure("503", null).nonRetryable());
    assertTrue(TargetFailure.unknownHostKey("x").nonRetryable());
    assertTrue(TargetFailure.authenticationRefused("x").nonRetryable());
    assertTrue(TargetFailure.quotaExceeded("x").nonRetryable());
  }
}

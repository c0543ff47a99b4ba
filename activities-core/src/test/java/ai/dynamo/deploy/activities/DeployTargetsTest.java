package ai.dynamo.deploy.activities;

import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.workflows.DeployFailures;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeployTargetsTest {
  /** Listed in this module's test resources under META-INF/services: a target a jar on the class path contributes. */
  public static final class Contributed extends DeployTargetDefaultsTest.Minimal {
    public Contributed() {
      super("contributed");
    }
  }

  @Test
  void targetsComeOnlyFromRegistrationAndWhatTheClassPathContributes() {
    assertFalse(new DeployTargets().has("contributed"), "nothing is registered by itself");
    List<DeployTarget> contributed = DeployTargets.contributed();
    assertEquals(List.of("contributed"), contributed.stream().map(DeployTarget::kind).toList());
    DeployTargets targets = new DeployTargets().register(DeployTargetDefaultsTest.MINIMAL);
    contributed.forEach(targets::register);
    assertEquals(List.of("contributed", "minimal"), List.copyOf(targets.kinds()));
    assertNotSame(contributed.get(0), DeployTargets.contributed().get(0), "a new instance per call");
  }

  @Test
  void unknownKindIsInvalidInputNamingWhatTheWorkerServes() {
    DeployTargets targets = new DeployTargets().register(DeployTargetDefaultsTest.MINIMAL);
    TargetFailure f = assertThrows(TargetFailure.class, () -> targets.get("k8s"));
    assertEquals(DeployFailures.INVALID_IR, f.type());
    assertTrue(f.nonRetryable());
    assertTrue(f.getMessage().contains("no target \"k8s\" (it serves: minimal)"), f.getMessage());
  }

  @Test
  void transientFailuresAreRetryable() {
    assertFalse(TargetFailure.transientFailure("503", null).nonRetryable());
    assertTrue(TargetFailure.unknownHostKey("x").nonRetryable());
    assertTrue(TargetFailure.authenticationRefused("x").nonRetryable());
    assertTrue(TargetFailure.quotaExceeded("x").nonRetryable());
  }
}

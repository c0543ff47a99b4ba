package ai.dynamo.deploy.activities;

import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RollbackRequest;
import ai.dynamo.deploy.workflows.Stage;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeployTargetsTest {
  /** Listed in this module's test resources under META-INF/services: a target a jar on the class path contributes. */
  public static final class Contributed implements DeployTarget {
    @Override public String kind() { return "contributed"; }
    @Override public List<String> preflight(DeployContext ctx) { return List.of(); }
    @Override public int currentRevision(DeployContext ctx) { return 0; }
    @Override public ReadyState apply(DeployContext ctx, int revision, Component c, Stage stage) { return null; }
    @Override public ReadyState awaitReady(DeployContext ctx, int r, Component c, Stage s, ReadinessWatch w) { return null; }
    @Override public void recordRevision(DeployContext ctx, RevisionRecord record) {}
    @Override public String rollback(DeployContext ctx, RollbackRequest request, ReadinessWatch watch) { return ""; }
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

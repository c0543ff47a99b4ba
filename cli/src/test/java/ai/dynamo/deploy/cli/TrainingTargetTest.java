package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.workflows.DeployFailures;
import org.junit.jupiter.api.Test;

/** The class-data training's target deploys nothing: every step that would touch a cluster refuses, for good. */
class TrainingTargetTest {
  @Test
  void refusesAtPreflightWithoutRetryAndAppliesNothing() {
    TrainingTarget target = new TrainingTarget();
    assertEquals("k8s", target.kind());
    TargetFailure preflight = assertThrows(TargetFailure.class, () -> target.preflight(null));
    assertEquals(DeployFailures.PREFLIGHT_FAILED, preflight.type());
    assertTrue(preflight.nonRetryable(), "a retry would only make the training slower");
    assertThrows(TargetFailure.class, () -> target.apply(null, 1, null, null));
    assertThrows(TargetFailure.class, () -> target.awaitReady(null, 1, null, null, null));
    assertThrows(TargetFailure.class, () -> target.recordRevision(null, null));
  }
}

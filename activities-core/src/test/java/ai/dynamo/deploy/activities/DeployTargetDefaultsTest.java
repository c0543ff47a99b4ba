package ai.dynamo.deploy.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.TestGraphs;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.TargetSpec;
import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.HeldCancelled;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RollbackRequest;
import ai.dynamo.deploy.workflows.Stage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A target that implements only the deploy steps (as the Kubernetes target did first) still works for the rest. */
class DeployTargetDefaultsTest {
  /** Only the deploy steps, doing nothing; {@link #kind} as given. */
  static class Minimal implements DeployTarget {
    private final String kind;

    Minimal(String kind) {
      this.kind = kind;
    }

    @Override public String kind() { return kind; }
    @Override public List<String> preflight(DeployContext ctx) { return List.of(); }
    @Override public int currentRevision(DeployContext ctx) { return 0; }
    @Override public ReadyState apply(DeployContext ctx, int revision, Component c, Stage stage) { return null; }
    @Override public ReadyState awaitReady(DeployContext ctx, int r, Component c, Stage s, ReadinessWatch w) { return null; }
    @Override public void recordRevision(DeployContext ctx, RevisionRecord record) {}
    @Override public String rollback(DeployContext ctx, RollbackRequest request, ReadinessWatch watch) { return ""; }
  }

  static final DeployTarget MINIMAL = new Minimal("minimal");

  @Test
  void historyAndRevisionSpecsSayNotSupportedAndFailFastAndIsCurrentIsFalse() {
    DeployRequest request = new DeployRequest(TestGraphs.small(), "digest", new TargetSpec("minimal", "x", Map.of()),
        DeployOptions.defaults("test"));
    DeployContext ctx = new DeployContext(request, "deploy/minimal/x/g", "run");
    TargetFailure history = assertThrows(TargetFailure.class, () -> MINIMAL.history(ctx));
    assertEquals(DeployFailures.NOT_SUPPORTED, history.type());
    assertEquals("history is not supported by the minimal target yet", history.getMessage());
    assertTrue(history.nonRetryable(), "retrying cannot help");
    TargetFailure spec = assertThrows(TargetFailure.class, () -> MINIMAL.revisionSpec(ctx, 1));
    assertEquals("rollback --to-revision is not supported by the minimal target yet", spec.getMessage());
    assertFalse(MINIMAL.isCurrent(ctx, 1, ctx.component("vllm_worker"), Stage.ALL), "unsure means apply");
  }

  @Test
  void aTargetThatCannotHoldHasNoHeldJobsToCancel() {
    DeployRequest request = new DeployRequest(TestGraphs.small(), "digest", new TargetSpec("minimal", "x", Map.of()),
        DeployOptions.defaults("test"));
    DeployContext ctx = new DeployContext(request, "deploy/minimal/x/g", "run");
    assertFalse(MINIMAL.startsHeld(ctx));
    assertEquals(HeldCancelled.none(), MINIMAL.cancelHeld(ctx, 1, List.of("http_ingress"), null));
  }
}

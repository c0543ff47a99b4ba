package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.render.Rendering;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RollbackRequest;
import ai.dynamo.deploy.workflows.Stage;
import ai.dynamo.deploy.workflows.StepRequest;
import java.util.List;

/**
 * The target of the warm-up's rehearsal deploy ({@link WorkerRehearsal}): every step answers at once, nothing is
 * kept, nothing is contacted. It says it can hold starts, as the Slurm target does, so the rehearsal takes the held
 * path too. Registered only on the rehearsal's private worker, never on one that polls a real service.
 */
final class RehearsalTarget implements DeployTarget {
  static final String KIND = "rehearsal";
  private static final ReadyState READY = new ReadyState(1, 1, "rehearsed");

  @Override
  public String kind() {
    return KIND;
  }

  /** Nothing to render: the real targets render the same sample in their own warm-up. */
  @Override
  public Rendering render(DeployContext ctx) {
    return new Rendering(List.of(), List.of());
  }

  @Override
  public List<String> preflight(DeployContext ctx) {
    return List.of();
  }

  @Override
  public int currentRevision(DeployContext ctx) {
    return 0;
  }

  @Override
  public boolean startsHeld(DeployContext ctx) {
    return true;
  }

  @Override
  public ReadyState apply(DeployContext ctx, Component component, StepRequest step) {
    return READY;
  }

  @Override
  public ReadyState apply(DeployContext ctx, int revision, Component component, Stage stage) {
    return READY;
  }

  /** Reports once, so the rehearsal heartbeats as a real wait does. */
  @Override
  public ReadyState awaitReady(DeployContext ctx, int revision, Component component, Stage stage,
      ReadinessWatch watch) {
    watch.report(READY.ready(), READY.desired(), READY.message(), "");
    return READY;
  }

  @Override
  public void recordRevision(DeployContext ctx, RevisionRecord record) {}

  @Override
  public String rollback(DeployContext ctx, RollbackRequest request, ReadinessWatch watch) {
    return "nothing to undo (rehearsal)";
  }
}

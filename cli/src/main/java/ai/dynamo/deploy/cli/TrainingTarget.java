package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.DeployTarget;
import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RollbackRequest;
import ai.dynamo.deploy.workflows.Stage;
import java.util.List;

/**
 * Build time only ({@link CdsTraining}): a target of kind {@code k8s} that refuses every deploy at preflight, so the
 * class-data training can run a whole deploy and then {@code deploy status} of a deploy that exists, without ever
 * reaching a cluster (the build machine's kubeconfig may name a real one). Nothing is applied, so nothing is undone.
 */
final class TrainingTarget implements DeployTarget {
  static final String REFUSAL = "class-data training: this target deploys nothing";

  @Override
  public String kind() {
    return "k8s";
  }

  @Override
  public List<String> preflight(DeployContext ctx) {
    throw TargetFailure.preflightFailed(REFUSAL);
  }

  @Override
  public int currentRevision(DeployContext ctx) {
    return 0;
  }

  @Override
  public ReadyState apply(DeployContext ctx, int revision, Component component, Stage stage) {
    throw TargetFailure.preflightFailed(REFUSAL);
  }

  @Override
  public ReadyState awaitReady(DeployContext ctx, int revision, Component component, Stage stage, ReadinessWatch watch) {
    throw TargetFailure.preflightFailed(REFUSAL);
  }

  @Override
  public void recordRevision(DeployContext ctx, RevisionRecord record) {
    throw TargetFailure.preflightFailed(REFUSAL);
  }

  @Override
  public String rollback(DeployContext ctx, RollbackRequest request, ReadinessWatch watch) {
    return "nothing to roll back (" + REFUSAL + ")";
  }
}

package ai.dynamo.deploy.workflows;

import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * The activity stubs of a deploy, each with its policy ({@link ActivityPolicies}) and the one-line summary the
 * Temporal UI shows for it. Only stubs are made here; the workflow decides when to call them.
 */
final class DeploySteps {
  private final String graph;
  private final String target;

  DeploySteps(String graph, String target) {
    this.graph = graph;
    this.target = target;
  }

  void validate() {
    stub(ActivityPolicies.quick(), "validate " + graph + " for " + target).validate();
  }

  DeployPlan plan() {
    return stub(ActivityPolicies.quick(), "plan " + graph).plan();
  }

  PreflightResult preflight() {
    return stub(ActivityPolicies.preflight(), "preflight " + target).preflight();
  }

  UpdatePlan planUpdate() {
    return stub(ActivityPolicies.preflight(), "plan the update of " + graph + " on " + target).planUpdate();
  }

  DeployDiff diff() {
    return stub(ActivityPolicies.preflight(), "diff " + graph + " against " + target).diff();
  }

  void record(RevisionRecord record) {
    stub(ActivityPolicies.record(), "record " + graph + " rev " + record.revision()).recordRevision(record);
  }

  String rollback(RollbackRequest request, Duration budget) {
    String summary =
        request.previousRevision() > 0
            ? "roll back " + graph + " to rev " + request.previousRevision()
            : "remove " + graph + " rev " + request.failedRevision() + " (first install)";
    return stub(ActivityPolicies.rollback(budget), summary).rollback(request);
  }

  HeldCancelled cancelHeld(CancelHeldRequest request) {
    return stub(ActivityPolicies.cancelHeld(), "cancel the held job(s) of " + String.join(", ", request.components())
        + " (" + graph + " rev " + request.revision() + "), which never started").cancelHeld(request);
  }

  /** The stub of one apply: a local activity (see {@link ActivityPolicies#apply}). */
  static DeployActivities apply(String summary) {
    return Workflow.newLocalActivityStub(
        DeployActivities.class, LocalActivityOptions.newBuilder(ActivityPolicies.apply()).setSummary(summary).build());
  }

  /** The stub of one readiness wait with {@code timeout} left; {@code onStop}: what stopping it does. */
  static DeployActivities awaitReady(Duration timeout, ActivityCancellationType onStop, String summary) {
    return stub(
        ActivityOptions.newBuilder(ActivityPolicies.awaitReady(timeout)).setCancellationType(onStop).build(), summary);
  }

  static DeployActivities stub(ActivityOptions options, String summary) {
    return Workflow.newActivityStub(
        DeployActivities.class, ActivityOptions.newBuilder(options).setSummary(summary).build());
  }
}

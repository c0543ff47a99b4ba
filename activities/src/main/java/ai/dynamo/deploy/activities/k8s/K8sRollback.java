package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.ir.GraphDigest;
import ai.dynamo.deploy.workflows.ChangeKind;
import ai.dynamo.deploy.workflows.ComponentChange;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RollbackRequest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rollbacks: of a whole revision ({@link #restore}), and of a per-component update ({@link #undo}), where only
 * what the failed revision touched is undone. An updated component gets
 * the previous revision's objects back from its record (a recreated Deployment with strategy Recreate again, so the
 * rollback needs no spare GPUs either), an added one is deleted, and everything else (components adopted unchanged,
 * components the failed revision would have removed) is not touched at all.
 */
final class K8sRollback {
  private final KubernetesClient client;
  private final ServerSideApplier applier;
  private final Clock clock;
  private final ReadinessWaiter waiter;

  K8sRollback(KubernetesClient client, ServerSideApplier applier, Clock clock, ReadinessWaiter waiter) {
    this.client = client;
    this.applier = applier;
    this.clock = clock;
    this.waiter = waiter;
  }

  String undo(DeployContext ctx, RollbackRequest request, ManifestSet failed, ManifestSet previous,
      ReadinessWatch watch) {
    int reapplied = 0;
    int removed = 0;
    List<HasMetadata> restored = new ArrayList<>();
    for (String name : request.components()) {
      ComponentChange change = request.change(name);
      List<HasMetadata> applied = failed.component(name);
      String label = failed.label(name);
      List<HasMetadata> before = change == null || change.kind() == ChangeKind.ADD || label == null
          ? List.of() : ManifestSet.copies(previous.component(label));
      if (change != null && change.recreates()) K8sUpdates.strategy(before, change);
      for (HasMetadata o : before) {
        applier.applyOne(o);
        reapplied++;
        watch.report(reapplied, 0, "re-applied " + ManifestSet.key(o), "");
      }
      Set<String> keep = new HashSet<>();
      for (HasMetadata o : before) keep.add(ManifestSet.key(o));
      for (HasMetadata o : applied) {
        if (keep.contains(ManifestSet.key(o))) continue;
        applier.delete(o);
        removed++;
        watch.report(reapplied, 0, "deleted " + ManifestSet.key(o), "");
      }
      restored.addAll(before);
    }
    new RevisionStore(client, failed.namespace()).writeRolledBack(failed.graphLabel(),
        new RevisionRecord(request.failedRevision(), ctx.request().specDigest(),
            ctx.request().options() == null ? "" : ctx.request().options().startedBy(), ctx.workflowId(), ctx.runId(),
            clock.millis()),
        GraphDigest.sha256(ctx.graph()), request.reason());
    waiter.awaitRestored(restored, watch);
    return "restored revision " + request.previousRevision() + " for " + String.join(", ", request.components())
        + " (" + reapplied + " objects re-applied, " + removed + " removed; components it did not change were not"
        + " touched; its services are ready again)";
  }

  /**
   * The rollback of a whole revision: with a previous revision, every object of its record is applied again and
   * every object of the graph it did not have is deleted, then its restored services are waited for; on a failed
   * first install ({@code previous} null) every object of the graph is deleted. Idempotent: a retry finds less to do.
   */
  String restore(DeployContext ctx, RollbackRequest request, ManifestSet failed, ManifestSet previous,
      ReadinessWatch watch) {
    int reapplied = 0;
    if (previous != null) {
      for (HasMetadata o : previous.all()) {
        applier.applyOne(o);
        reapplied++;
        watch.report(reapplied, 0, "re-applied " + ManifestSet.key(o), "");
      }
    }
    Set<String> keep = previous == null ? Set.of() : ManifestSet.keys(previous.all());
    int removed = 0;
    for (HasMetadata o : applier.owned(failed.graphLabel())) {
      if (keep.contains(ManifestSet.key(o))) continue;
      applier.delete(o);
      removed++;
      watch.report(reapplied, 0, "deleted " + ManifestSet.key(o), "");
    }
    // The failed revision goes into the history as rolled back (its number is reused by the next deploy).
    new RevisionStore(client, failed.namespace()).writeRolledBack(failed.graphLabel(),
        new RevisionRecord(request.failedRevision(), ctx.request().specDigest(),
            ctx.request().options() == null ? "" : ctx.request().options().startedBy(), ctx.workflowId(), ctx.runId(),
            clock.millis()),
        GraphDigest.sha256(ctx.graph()), request.reason());
    if (previous != null) {
      List<HasMetadata> restored = new ArrayList<>();
      for (String name : request.components()) {
        List<HasMetadata> objects = failed.component(name);
        if (objects.isEmpty()) continue;
        restored.addAll(previous.component(objects.get(0).getMetadata().getLabels().get(ManifestSet.COMPONENT)));
      }
      waiter.awaitRestored(restored, watch);
    }
    return previous != null
        ? "restored revision " + request.previousRevision() + " (" + reapplied + " objects re-applied, " + removed
            + " removed; its services are ready again)"
        : "removed revision " + request.failedRevision() + " (" + removed + " objects deleted; first install)";
  }
}

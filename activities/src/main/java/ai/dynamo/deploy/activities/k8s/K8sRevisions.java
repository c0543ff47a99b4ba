package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.ComponentDigests;
import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.LiveRevision;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RevisionStatus;
import ai.dynamo.deploy.workflows.TargetRecords;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes target's records of per-component updates (docs/kubernetes-target.md "Updates"): the live revision
 * per component with the health of its workloads, the record of a new revision (adopted components with the objects
 * they run), and the live objects {@code deploy diff} compares.
 */
final class K8sRevisions {
  private final K8sTarget target;

  K8sRevisions(K8sTarget target) {
    this.target = target;
  }

  /** The live record per component, with one GET per workload for health. */
  LiveRevision liveRevision(DeployContext ctx) {
    ManifestSet rendered = target.manifests(ctx, 0);
    KubernetesClient client = target.client(ctx);
    RevisionStore store = new RevisionStore(client, rendered.namespace());
    int live = store.current(rendered.graphLabel());
    if (live == 0) return new LiveRevision(0, Map.of(), true);
    ManifestSet recorded = store.read(rendered.graphLabel(), live);
    Map<String, RevisionStore.ComponentEntry> entries = new LinkedHashMap<>(store.components(rendered.graphLabel(), live));
    if (entries.isEmpty()) {
      // A record from before per-component updates: adopted only when the whole request is the one it recorded.
      String recordedDigest = target.history(ctx).stream().filter(e -> e.revision() == live).map(RevisionEntry::specDigest)
          .findFirst().orElse("");
      Map<String, String> digests = recordedDigest.equals(ctx.request().specDigest()) ? ComponentDigests.of(target, ctx)
          : Map.of();
      for (Component c : ctx.graph().components()) {
        entries.put(c.name(), new RevisionStore.ComponentEntry(digests.getOrDefault(c.name(), ""), live,
            rendered.label(c.name())));
      }
    }
    Map<String, LiveRevision.Component> out = new LinkedHashMap<>();
    entries.forEach((name, e) -> {
      List<HasMetadata> objects = recorded == null ? List.of() : recorded.component(e.label());
      if (!objects.isEmpty()) {
        out.put(name, K8sUpdates.health(client, rendered.namespace(), objects, e.digest(), e.revision()));
      }
    });
    return new LiveRevision(live, out, true);
  }

  /**
   * The objects the record of {@code record} keeps, and its per-component {@code entries}: a component whose live
   * objects do not carry this revision's label was adopted unchanged and is recorded with the objects it runs (from
   * the live record); the others as rendered and applied now.
   */
  ManifestSet recorded(DeployContext ctx, RevisionRecord record, ManifestSet rendered, RevisionStore store,
      Map<String, RevisionStore.ComponentEntry> entries) {
    int previous = TargetRecords.previous(target.history(ctx), record.revision());
    int live = store.current(rendered.graphLabel());
    if (live == record.revision()) live = previous; // a retried record: adopt from what was live before it
    ManifestSet before = live > 0 ? store.read(rendered.graphLabel(), live) : null;
    Map<String, RevisionStore.ComponentEntry> liveEntries =
        live > 0 ? store.components(rendered.graphLabel(), live) : Map.of();
    // Adopted components are recorded with the objects they run (from the live record); the rest as applied now.
    Map<String, String> digests = ComponentDigests.of(target, ctx);
    // Which components this revision applied: their live objects carry its revision label; the others were adopted.
    Map<String, HasMetadata> owned = new LinkedHashMap<>();
    for (HasMetadata o : target.applier(ctx, rendered, K8sTarget::sleep).owned(rendered.graphLabel())) {
      owned.put(ManifestSet.key(o), o);
    }
    Map<String, List<HasMetadata>> objects = new LinkedHashMap<>();
    for (Component c : ctx.graph().components()) {
      String label = rendered.label(c.name());
      HasMetadata first = rendered.component(c.name()).isEmpty() ? null
          : owned.get(ManifestSet.key(rendered.component(c.name()).get(0)));
      boolean appliedNow = first != null
          && Integer.toString(record.revision()).equals(first.getMetadata().getLabels().get(ManifestSet.REVISION));
      boolean adopted = !appliedNow && before != null && label != null && !before.component(label).isEmpty();
      objects.put(c.name(), adopted ? before.component(label) : rendered.component(c.name()));
      RevisionStore.ComponentEntry was = liveEntries.get(c.name());
      entries.put(c.name(), new RevisionStore.ComponentEntry(digests.get(c.name()),
          adopted && was != null ? was.revision() : adopted ? live : record.revision(), label));
    }
    return ManifestSet.composed(rendered.namespace(), rendered.graphLabel(), record.revision(), objects);
  }

  /** The live record's objects of a component, as {@code deploy diff} compares them. */
  Map<String, String> liveFiles(DeployContext ctx, String component) {
    ManifestSet rendered = target.manifests(ctx, 0);
    RevisionStore store = new RevisionStore(target.client(ctx), rendered.namespace());
    int current = store.current(rendered.graphLabel());
    RevisionStore.ComponentEntry entry = store.components(rendered.graphLabel(), current).get(component);
    String label = entry != null ? entry.label() : rendered.label(component);
    ManifestSet recorded = current > 0 ? store.read(rendered.graphLabel(), current) : null;
    return recorded == null || label == null ? Map.of() : K8sUpdates.asFiles(recorded.component(label));
  }

  /**
   * The records, oldest first: the newest successful one is live ({@code READY}), older successful ones
   * {@code SUPERSEDED}; a failed revision that was rolled back is {@code ROLLED_BACK} until the next successful
   * deploy reuses its number.
   */
  List<RevisionEntry> history(DeployContext ctx) {
    RevisionStore store = new RevisionStore(target.client(ctx), K8sSettings.namespace(ctx));
    List<RevisionStore.Entry> records = store.entries(K8sTarget.graphLabel(ctx.graph().name()));
    int live = store.current(K8sTarget.graphLabel(ctx.graph().name()));
    List<RevisionEntry> out = new ArrayList<>();
    for (RevisionStore.Entry e : records) {
      RevisionStatus status = e.rolledBack() ? RevisionStatus.ROLLED_BACK
          : e.uninstalled() ? RevisionStatus.UNINSTALLED
          : e.revision() == live ? RevisionStatus.READY : RevisionStatus.SUPERSEDED;
      out.add(new RevisionEntry(e.revision(), e.epochMillis(), e.specDigest(), status, e.deployedBy(), e.note(),
          e.workflowId(), e.runId()));
    }
    return out;
  }
}

package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.TargetFailure;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ServerSideApplicable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes and removes our objects: server-side apply with the field manager {@value #FIELD_MANAGER} (conflicts with
 * other managers fail with the field and the manager unless {@code forceConflicts} is set), deletion with
 * background propagation, and the list of objects a graph owns.
 */
final class ServerSideApplier {
  static final String FIELD_MANAGER = ManifestSet.MANAGER;

  /** The kinds the renderer writes: what ownership listing, pruning and rollback look at. */
  static final List<Class<? extends HasMetadata>> RENDERED_KINDS =
      List.of(
          io.fabric8.kubernetes.api.model.Service.class,
          io.fabric8.kubernetes.api.model.apps.Deployment.class,
          io.fabric8.kubernetes.api.model.apps.StatefulSet.class,
          Job.class);

  private final KubernetesClient client;
  private final String namespace;
  private final boolean forceConflicts;
  private final Pauser pauser;

  /** How the applier waits for a replaced Job to go (heartbeating inside activities). */
  @FunctionalInterface
  interface Pauser {
    void pause(Duration d);
  }

  ServerSideApplier(KubernetesClient client, String namespace, boolean forceConflicts, Pauser pauser) {
    this.client = client;
    this.namespace = namespace;
    this.forceConflicts = forceConflicts;
    this.pauser = pauser;
  }

  /** Applies one object; returns the API server's answer (the object as it is now). */
  HasMetadata applyOne(HasMetadata object) {
    String what = "apply " + ManifestSet.key(object);
    try {
      if (object instanceof Job job) replaceChangedJob(job);
      ServerSideApplicable<HasMetadata> apply =
          client.resource(object).inNamespace(namespace).fieldManager(FIELD_MANAGER);
      if (forceConflicts) apply = apply.forceConflicts();
      return apply.serverSideApply();
    } catch (KubernetesClientException e) {
      throw KubeErrors.translate(e, what);
    }
  }

  /**
   * A Job's template is immutable: when the Job we want differs from the one there (by our spec hash), the old one
   * is deleted, with its pods, and the new one created. An unchanged Job is left alone (it is not run again).
   */
  private void replaceChangedJob(Job job) {
    HasMetadata existing = client.resource(job).inNamespace(namespace).get();
    if (existing == null) return;
    String want = job.getMetadata().getAnnotations().get(ManifestSet.SPEC_HASH);
    String have = existing.getMetadata().getAnnotations() == null
        ? null
        : existing.getMetadata().getAnnotations().get(ManifestSet.SPEC_HASH);
    if (Objects.equals(want, have)) return;
    if (!owned(existing, graphOf(job))) {
      throw TargetFailure.preflightFailed(
          "job " + job.getMetadata().getName() + " exists and is not managed by dynamo-deploy for this graph");
    }
    delete(existing);
    for (int i = 0; i < 120; i++) {
      if (client.resource(job).inNamespace(namespace).get() == null) return;
      pauser.pause(Duration.ofSeconds(1));
    }
    throw TargetFailure.transientFailure("job " + job.getMetadata().getName() + " is still being deleted", null);
  }

  /** Deletes an object and what it owns (pods); an object already gone is fine. */
  void delete(HasMetadata object) {
    try {
      client.resource(object).inNamespace(namespace).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw KubeErrors.translate(e, "delete " + ManifestSet.key(object));
    }
  }

  /**
   * Objects of the rendered kinds that belong to the graph and that we manage; LeaderWorkerSets too when the cluster
   * serves them (a graph may have switched from LeaderWorkerSets to StatefulSets).
   */
  List<HasMetadata> owned(String graphLabel) {
    // One LIST per kind, independent of each other: in parallel (pruning and rollback run on the deploy's path).
    List<List<HasMetadata>> lists = ParallelCalls.map(RENDERED_KINDS, kind -> {
      try {
        return List.<HasMetadata>copyOf(client.resources(kind).inNamespace(namespace)
            .withLabel(ManifestSet.GRAPH, graphLabel).withLabel(ManifestSet.MANAGED_BY, ManifestSet.MANAGER)
            .list().getItems());
      } catch (KubernetesClientException e) {
        throw KubeErrors.translate(e, "list " + kind.getSimpleName() + "s of graph " + graphLabel);
      }
    });
    List<HasMetadata> out = new ArrayList<>();
    for (List<HasMetadata> list : lists) {
      for (HasMetadata o : list) {
        if (owned(o, graphLabel)) out.add(o);
      }
    }
    try {
      if (LeaderWorkerSetApi.served(client)) {
        for (HasMetadata o : client.genericKubernetesResources(LeaderWorkerSetApi.CONTEXT).inNamespace(namespace)
            .withLabel(ManifestSet.GRAPH, graphLabel).withLabel(ManifestSet.MANAGED_BY, ManifestSet.MANAGER)
            .list().getItems()) {
          if (owned(o, graphLabel)) out.add(o);
        }
      }
    } catch (KubernetesClientException e) {
      throw KubeErrors.translate(e, "list LeaderWorkerSets of graph " + graphLabel);
    }
    return out;
  }

  /**
   * Ours: labelled with the graph and our manager label, not controlled by another object, and (where the server
   * records field managers, as every real API server does) written by our field manager.
   */
  static boolean owned(HasMetadata o, String graphLabel) {
    Map<String, String> labels = o.getMetadata().getLabels();
    if (labels == null || !graphLabel.equals(labels.get(ManifestSet.GRAPH))
        || !ManifestSet.MANAGER.equals(labels.get(ManifestSet.MANAGED_BY))) {
      return false;
    }
    // Run by a controller (LeaderWorkerSet copies our labels onto the StatefulSets it creates): that controller's.
    if (o.getMetadata().getOwnerReferences() != null
        && o.getMetadata().getOwnerReferences().stream().anyMatch(r -> Boolean.TRUE.equals(r.getController()))) {
      return false;
    }
    List<ManagedFieldsEntry> managers = o.getMetadata().getManagedFields();
    return managers == null || managers.isEmpty()
        || managers.stream().anyMatch(m -> FIELD_MANAGER.equals(m.getManager()));
  }

  static String graphOf(HasMetadata o) {
    return o.getMetadata().getLabels().get(ManifestSet.GRAPH);
  }
}

package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.ReadinessWatch;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;

/**
 * {@code dynamo deploy uninstall} on Kubernetes: deletes every object the graph's deploys own (our labels and field
 * manager; never anything else), waits until they and their pods are gone, then removes the revision records, or
 * with {@code --keep-history} marks the live one uninstalled. Idempotent: a retry finds less to delete.
 */
final class K8sUninstall {
  static final Duration POLL = Duration.ofSeconds(1);

  private final KubernetesClient client;
  private final String namespace;

  K8sUninstall(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  String run(String graphLabel, boolean keepHistory, String note, long now, ReadinessWatch watch) {
    ServerSideApplier applier = new ServerSideApplier(client, namespace, false, watch::pause);
    List<HasMetadata> owned = applier.owned(graphLabel);
    for (HasMetadata o : owned) applier.delete(o);
    while (true) {
      int objects = applier.owned(graphLabel).size();
      int pods = pods(graphLabel).size();
      if (objects + pods == 0) break;
      watch.report(owned.size() - objects, owned.size(), "waiting for " + objects + " object(s) and " + pods
          + " pod(s) of " + graphLabel + " to go", "");
      watch.pause(POLL);
    }
    RevisionStore records = new RevisionStore(client, namespace);
    String kept = keepHistory ? records.markUninstalled(graphLabel, note, now)
        : "removed " + records.deleteAll(graphLabel) + " revision records";
    return "deleted " + owned.size() + " object(s) in namespace " + namespace + " and waited for their pods; " + kept;
  }

  /** The graph's pods (their labels come from our templates). */
  private List<Pod> pods(String graphLabel) {
    try {
      return client.pods().inNamespace(namespace).withLabel(ManifestSet.GRAPH, graphLabel)
          .withLabel(ManifestSet.MANAGED_BY, ManifestSet.MANAGER).list().getItems();
    } catch (KubernetesClientException e) {
      throw KubeErrors.translate(e, "list the pods of " + graphLabel);
    }
  }
}

package ai.dynamo.deploy.activities.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which pods belong to a workload's current revision, as Kubernetes' controllers label them: the pods that
 * {@link PodRules} judge during an update (a helper of those rules, not a rule of its own).
 */
final class CurrentPods {
  private CurrentPods() {}

  static final String POD_TEMPLATE_HASH = "pod-template-hash";
  static final String CONTROLLER_REVISION_HASH = "controller-revision-hash";
  static final String DEPLOYMENT_REVISION = "deployment.kubernetes.io/revision";

  /**
   * Leaves out pods of an older revision of the given workloads, which are on their way out during an update and
   * must not fail the new revision: a StatefulSet's pods whose {@code controller-revision-hash} (named
   * {@code <statefulset>-<hash>}) is not its {@code updateRevision}, a LeaderWorkerSet's pods whose template hash is
   * not that of its templates, and a Deployment's pods whose
   * {@code pod-template-hash} is not that of its current ReplicaSet (the one it owns with the Deployment's
   * {@code deployment.kubernetes.io/revision}). Pods without these labels are kept.
   */
  static List<Pod> of(List<? extends HasMetadata> workloads, List<Pod> pods,
      List<ReplicaSet> replicaSets) {
    List<Pod> out = new ArrayList<>();
    for (Pod pod : pods) {
      Map<String, String> labels = pod.getMetadata().getLabels();
      String revision = labels == null ? null : labels.get(CONTROLLER_REVISION_HASH);
      String templateHash = labels == null ? null : labels.get(POD_TEMPLATE_HASH);
      boolean old = false;
      for (HasMetadata w : workloads) {
        if (w instanceof StatefulSet s && revision != null && s.getStatus() != null
            && s.getStatus().getUpdateRevision() != null
            && revision.startsWith(s.getMetadata().getName() + "-")
            && !revision.equals(s.getStatus().getUpdateRevision())) {
          old = true;
        }
        if (w instanceof Deployment d && templateHash != null) {
          String current = currentTemplateHash(d, replicaSets);
          if (current != null && !current.equals(templateHash)) old = true;
        }
        if (w instanceof GenericKubernetesResource lws && LeaderWorkerSetApi.is(lws)) {
          String current = LeaderWorkerSetApi.templateHash(lws);
          String ours = pod.getMetadata().getAnnotations() == null ? null
              : pod.getMetadata().getAnnotations().get(LeaderWorkerSetApi.TEMPLATE_HASH);
          if (current != null && ours != null && !current.equals(ours)) old = true;
        }
      }
      if (!old) out.add(pod);
    }
    return out;
  }

  private static String currentTemplateHash(Deployment d, List<ReplicaSet> sets) {
    String revision = d.getMetadata().getAnnotations() == null ? null
        : d.getMetadata().getAnnotations().get(DEPLOYMENT_REVISION);
    if (revision == null) return null;
    for (ReplicaSet rs : sets) {
      boolean owned = rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences().stream()
          .anyMatch(o -> Objects.equals(o.getUid(), d.getMetadata().getUid()));
      String rsRevision = rs.getMetadata().getAnnotations() == null ? null
          : rs.getMetadata().getAnnotations().get(DEPLOYMENT_REVISION);
      if (owned && revision.equals(rsRevision) && rs.getMetadata().getLabels() != null) {
        return rs.getMetadata().getLabels().get(POD_TEMPLATE_HASH);
      }
    }
    // The revision is known but its ReplicaSet not seen yet (each kind comes through its own watch): no pod is
    // known to be current, so none is judged until it is.
    return "";
  }
}

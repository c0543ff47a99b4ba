package ai.dynamo.deploy.activities.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;

/**
 * "Retry resumes" (docs/kubernetes-target.md, "Apply"): whether a stage's objects were already written for this
 * revision by a request with this very spec, so a retried deploy checks the stage instead of applying it again
 * ({@code DeployTarget.isCurrent}). Apart from {@link K8sTarget} because it is a rule of its own: which live labels
 * and annotations make an object current.
 */
final class CurrentStage {
  private CurrentStage() {}

  /**
   * Every one of {@code objects} exists in the set's namespace, is ours, and carries the revision label and the
   * spec-digest annotation. A revision number is reused after a failed one, hence the spec digest too.
   */
  static boolean isCurrent(KubernetesClient client, ManifestSet set, List<HasMetadata> objects, int revision,
      String specDigest) {
    for (HasMetadata want : objects) {
      HasMetadata live;
      try {
        live = client.resource(want).inNamespace(set.namespace()).get();
      } catch (KubernetesClientException e) {
        throw KubeErrors.translate(e, "read " + ManifestSet.key(want));
      }
      if (live == null || !ServerSideApplier.owned(live, set.graphLabel())) return false;
      Map<String, String> annotations = live.getMetadata().getAnnotations();
      if (!Integer.toString(revision).equals(live.getMetadata().getLabels().get(ManifestSet.REVISION))
          || annotations == null || !specDigest.equals(annotations.get(ManifestSet.SPEC_DIGEST))) {
        return false;
      }
    }
    return true;
  }
}

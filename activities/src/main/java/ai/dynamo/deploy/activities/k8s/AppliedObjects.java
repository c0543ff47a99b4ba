package ai.dynamo.deploy.activities.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this worker's applies got back from the API server (uid and generation of each object), by deploy run,
 * revision and object: the readiness wait that follows an apply on the same worker needs exactly that to know when
 * its informer cache has caught up, and would otherwise GET every workload again. A wait that finds nothing here
 * (another worker applied, or the apply was skipped as current) reads the object from the API server as before.
 */
final class AppliedObjects {
  /** Objects remembered (a 1,000-component wave holds about 2,000 workloads at once). */
  static final int KEPT = 4096;

  private final Map<String, HasMetadata> byKey =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, HasMetadata> eldest) {
          return size() > KEPT;
        }
      };

  /** The key of an object applied by a deploy run for a revision, in a namespace. */
  static String key(String runId, int revision, String namespace, HasMetadata object) {
    return runId + "/" + revision + "/" + namespace + "/" + ManifestSet.key(object);
  }

  /** Keeps the identity of the API server's answer to an apply (name, uid, generation; nothing else). */
  void remember(String key, HasMetadata answer) {
    if (answer == null || answer.getMetadata() == null) return;
    GenericKubernetesResource identity = new GenericKubernetesResource();
    identity.setApiVersion(answer.getApiVersion());
    identity.setKind(answer.getKind());
    identity.setMetadata(new ObjectMetaBuilder().withName(answer.getMetadata().getName())
        .withUid(answer.getMetadata().getUid()).withGeneration(answer.getMetadata().getGeneration()).build());
    synchronized (byKey) {
      byKey.put(key, identity);
    }
  }

  /** The remembered answer, or null. */
  HasMetadata recall(String key) {
    synchronized (byKey) {
      return byKey.get(key);
    }
  }
}

package ai.dynamo.deploy.activities.k8s;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link K8sAccess} as comparable strings, for the tests that hold preflight's reviews, the in-cluster RBAC and the
 * target's own requests against it: {@code "<verb> <group>/<resource> namespaced|cluster"} and
 * {@code "<verb> <path> nonresource"}.
 */
final class K8sAccessTable {
  private K8sAccessTable() {}

  static String resource(String verb, String group, String resource, boolean namespaced) {
    return verb + " " + group + "/" + resource + " " + (namespaced ? "namespaced" : "cluster");
  }

  static String nonResource(String verb, String path) {
    return verb + " " + path + " nonresource";
  }

  /** Every permission in the table (the LeaderWorkerSet rules included). */
  static Set<String> all() {
    Set<String> out = new TreeSet<>();
    for (K8sAccess.Rule r : K8sAccess.RULES) {
      for (String verb : r.verbs()) out.add(resource(verb, r.group(), r.resource(), r.namespaced()));
    }
    for (K8sAccess.NonResourceRule r : K8sAccess.NON_RESOURCE_RULES) out.add(nonResource(r.verb(), r.path()));
    return out;
  }

  /** As {@link #all()}, for the reviews preflight sends for {@code namespace} (namespaced ones carry it). */
  static Set<String> all(String namespace) {
    return all();
  }

  /** One SelfSubjectAccessReview spec as the mock recorded it; a namespaced review must name the namespace. */
  @SuppressWarnings("unchecked")
  static String describe(Map<String, Object> spec) {
    if (spec.get("nonResourceAttributes") instanceof Map<?, ?> n) {
      return nonResource((String) n.get("verb"), (String) n.get("path"));
    }
    Map<String, Object> a = (Map<String, Object>) spec.get("resourceAttributes");
    Object group = a.get("group") == null ? "" : a.get("group");
    return resource((String) a.get("verb"), (String) group, (String) a.get("resource"), a.get("namespace") != null);
  }
}

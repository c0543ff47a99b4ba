package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.ir.Sha256;
import ai.dynamo.deploy.render.k8s.LeaderWorkerSets;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The LeaderWorkerSet API ({@code leaderworkerset.x-k8s.io/v1}, kubernetes-sigs/lws) as the Kubernetes target uses
 * it: fabric8 has no model for it, so objects are {@link GenericKubernetesResource}s read through these accessors
 * (field names from LWS's {@code api/leaderworkerset/v1} types).
 */
final class LeaderWorkerSetApi {
  private LeaderWorkerSetApi() {}

  static final String GROUP = "leaderworkerset.x-k8s.io";
  static final String VERSION = "v1";
  static final String API_VERSION = LeaderWorkerSets.API_VERSION;
  static final String KIND = LeaderWorkerSets.KIND;
  static final String PLURAL = "leaderworkersets";

  static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
      .withGroup(GROUP).withVersion(VERSION).withKind(KIND).withPlural(PLURAL).withNamespaced(true).build();

  /** Labels LWS puts on every pod of a group. */
  static final String GROUP_INDEX_LABEL = "leaderworkerset.sigs.k8s.io/group-index";
  static final String WORKER_INDEX_LABEL = "leaderworkerset.sigs.k8s.io/worker-index";

  /**
   * Ours, on both pod templates at apply time: a hash of the group template, so a wait tells the pods of the current
   * template from those of the previous one during a rolling update (LWS's own revision hash is only on its
   * StatefulSets). Only a change of the template changes it, so an unchanged group is not restarted.
   */
  static final String TEMPLATE_HASH = ManifestSet.PREFIX + "template-hash";

  static final List<String> POD_TEMPLATES = List.of("leaderTemplate", "workerTemplate");

  static boolean is(HasMetadata o) {
    return o instanceof GenericKubernetesResource && KIND.equals(o.getKind()) && API_VERSION.equals(o.getApiVersion());
  }

  /**
   * Whether the cluster serves the API: discovery of {@code leaderworkerset.x-k8s.io/v1} lists
   * {@code leaderworkersets} (a cluster without LWS answers 404, which fabric8 returns as null).
   */
  static boolean served(KubernetesClient client) {
    APIResourceList resources = client.getApiResources(API_VERSION);
    return resources != null && resources.getResources() != null
        && resources.getResources().stream().anyMatch(r -> PLURAL.equals(r.getName()));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> spec(GenericKubernetesResource lws) {
    Object spec = lws.getAdditionalProperties().get("spec");
    return spec instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> status(GenericKubernetesResource lws) {
    Object status = lws.getAdditionalProperties().get("status");
    return status instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> groupTemplate(GenericKubernetesResource lws) {
    Object t = spec(lws).get("leaderWorkerTemplate");
    return t instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** {@code spec.replicas}: the number of groups (LWS's default 1). */
  static int replicas(GenericKubernetesResource lws) {
    return intOr(spec(lws).get("replicas"), 1);
  }

  /** {@code spec.leaderWorkerTemplate.size}: pods per group, leader included (LWS's default 1). */
  static int size(GenericKubernetesResource lws) {
    return intOr(groupTemplate(lws).get("size"), 1);
  }

  /** The leader and worker pod templates (the leader's defaults to the worker's, as in LWS). */
  static List<PodTemplateSpec> podTemplates(GenericKubernetesResource lws) {
    List<PodTemplateSpec> out = new ArrayList<>();
    for (String name : POD_TEMPLATES) {
      Object t = groupTemplate(lws).get(name);
      if (t != null) out.add(ManifestSet.SERIALIZATION.convertValue(t, PodTemplateSpec.class));
    }
    return out;
  }

  /** Our template hash on the object's pod templates, or null. */
  @SuppressWarnings("unchecked")
  static String templateHash(GenericKubernetesResource lws) {
    Object worker = groupTemplate(lws).get("workerTemplate");
    if (!(worker instanceof Map<?, ?> w) || !(w.get("metadata") instanceof Map<?, ?> meta)
        || !(meta.get("annotations") instanceof Map<?, ?> annotations)) {
      return null;
    }
    return (String) ((Map<String, Object>) annotations).get(TEMPLATE_HASH);
  }

  /** Writes the hash of the group template (as it is without the hash) onto both pod templates. */
  @SuppressWarnings("unchecked")
  static void stampTemplateHash(GenericKubernetesResource lws) {
    Map<String, Object> template = groupTemplate(lws);
    String hash = Sha256.hex(ManifestSet.SERIALIZATION.asJson(template)).substring(0, 16);
    for (String name : POD_TEMPLATES) {
      if (!(template.get(name) instanceof Map<?, ?> pod)) continue;
      Map<String, Object> meta = (Map<String, Object>) ((Map<String, Object>) pod)
          .computeIfAbsent("metadata", k -> new java.util.LinkedHashMap<String, Object>());
      Map<String, Object> annotations = (Map<String, Object>) meta
          .computeIfAbsent("annotations", k -> new java.util.LinkedHashMap<String, Object>());
      annotations.put(TEMPLATE_HASH, hash);
    }
  }

  static int intOr(Object value, int otherwise) {
    return value instanceof Number n ? n.intValue() : otherwise;
  }
}

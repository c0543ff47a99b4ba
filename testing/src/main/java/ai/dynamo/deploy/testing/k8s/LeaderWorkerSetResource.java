package ai.dynamo.deploy.testing.k8s;

import ai.dynamo.deploy.ir.Sha256;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;

/**
 * A LeaderWorkerSet ({@code leaderworkerset.x-k8s.io/v1}, kubernetes-sigs/lws) as {@link SimulatedLeaderWorkerSets}
 * reads it, with LWS's own defaults. Written from LWS's {@code api/leaderworkerset/v1} types, not shared with the
 * Kubernetes target's reader: a simulator that read objects through the code under test would repeat its mistakes.
 */
final class LeaderWorkerSetResource {
  static final String GROUP = "leaderworkerset.x-k8s.io";
  static final String VERSION = "v1";
  static final String KIND = "LeaderWorkerSet";
  static final String PLURAL = "leaderworkersets";
  static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
      .withGroup(GROUP).withVersion(VERSION).withKind(KIND).withPlural(PLURAL).withNamespaced(true).build();

  /** Labels LWS's pod webhook puts on every pod of a group. */
  static final String NAME_LABEL = "leaderworkerset.sigs.k8s.io/name";
  static final String GROUP_INDEX_LABEL = "leaderworkerset.sigs.k8s.io/group-index";
  static final String WORKER_INDEX_LABEL = "leaderworkerset.sigs.k8s.io/worker-index";
  static final String SIZE_ANNOTATION = "leaderworkerset.sigs.k8s.io/size";
  static final String REVISION_LABEL = "leaderworkerset.sigs.k8s.io/template-revision-hash";

  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final GenericKubernetesResource lws;

  LeaderWorkerSetResource(GenericKubernetesResource lws) {
    this.lws = lws;
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> spec() {
    return lws.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> status() {
    return lws.getAdditionalProperties().get("status") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> groupTemplate() {
    return spec().get("leaderWorkerTemplate") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** {@code spec.replicas}, default 1. */
  int replicas() {
    return spec().get("replicas") instanceof Number n ? n.intValue() : 1;
  }

  /** {@code spec.leaderWorkerTemplate.size}, default 1. */
  int size() {
    return groupTemplate().get("size") instanceof Number n ? n.intValue() : 1;
  }

  /** The worker template, and the leader's, which defaults to the worker's. */
  PodTemplateSpec workerTemplate() {
    return SERIALIZATION.convertValue(groupTemplate().get("workerTemplate"), PodTemplateSpec.class);
  }

  PodTemplateSpec leaderTemplate() {
    Object leader = groupTemplate().get("leaderTemplate");
    return leader == null ? workerTemplate() : SERIALIZATION.convertValue(leader, PodTemplateSpec.class);
  }

  /** What LWS's template-revision-hash stands for: a hash of the group template (any stable hash will do here). */
  String revision() {
    return Sha256.hex(SERIALIZATION.asJson(groupTemplate())).substring(0, 10);
  }
}

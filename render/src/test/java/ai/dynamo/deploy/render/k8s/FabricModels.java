package ai.dynamo.deploy.render.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Loads rendered YAML as fabric8 model objects and checks that every field was known to the model. */
final class FabricModels {
  private FabricModels() {}

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** The documents of one rendered file, each unmarshalled to its typed fabric8 class. */
  static List<HasMetadata> load(RenderedFile file) {
    String content = file.content();
    assertTrue(content.startsWith("---\n"), file.relativePath() + " starts with a document marker");
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : content.substring(4).split("\n---\n")) {
      Object object = SERIALIZATION.unmarshal(doc);
      HasMetadata typed = assertInstanceOf(HasMetadata.class, object, "a Kubernetes object in " + file.relativePath());
      if (typed instanceof GenericKubernetesResource lws) {
        assertLeaderWorkerSet(lws);
      } else {
        assertNoUnknownFields(typed, typed.getKind() + "/" + typed.getMetadata().getName());
      }
      objects.add(typed);
    }
    return objects;
  }

  /** The fields of LeaderWorkerSetSpec and LeaderWorkerTemplate (kubernetes-sigs/lws api/leaderworkerset/v1). */
  static final Set<String> LWS_SPEC_FIELDS =
      Set.of("replicas", "leaderWorkerTemplate", "rolloutStrategy", "startupPolicy", "networkConfig");
  static final Set<String> LWS_TEMPLATE_FIELDS = Set.of("leaderTemplate", "workerTemplate", "size", "restartPolicy",
      "subGroupPolicy", "volumeClaimTemplates", "persistentVolumeClaimRetentionPolicy");

  /**
   * fabric8 has no LeaderWorkerSet model: the object's own fields are checked against LWS's API types, and its two
   * pod templates against fabric8's PodTemplateSpec.
   */
  @SuppressWarnings("unchecked")
  static void assertLeaderWorkerSet(GenericKubernetesResource lws) {
    String where = "LeaderWorkerSet/" + lws.getMetadata().getName();
    assertEquals("leaderworkerset.x-k8s.io/v1", lws.getApiVersion(), where);
    assertEquals("LeaderWorkerSet", lws.getKind(), where);
    Map<String, Object> spec = (Map<String, Object>) lws.getAdditionalProperties().get("spec");
    assertEquals(Set.of("spec"), lws.getAdditionalProperties().keySet(), where + ": only metadata and spec");
    assertTrue(LWS_SPEC_FIELDS.containsAll(spec.keySet()), where + " spec fields " + spec.keySet());
    Map<String, Object> template = (Map<String, Object>) spec.get("leaderWorkerTemplate");
    assertTrue(LWS_TEMPLATE_FIELDS.containsAll(template.keySet()), where + " template fields " + template.keySet());
    for (String pods : List.of("leaderTemplate", "workerTemplate")) {
      PodTemplateSpec typed = SERIALIZATION.convertValue(template.get(pods), PodTemplateSpec.class);
      assertNoUnknownFields(typed, where + "." + pods);
    }
  }

  static List<HasMetadata> loadAll(Rendering rendering) {
    List<HasMetadata> all = new ArrayList<>();
    for (RenderedFile f : rendering.files()) all.addAll(load(f));
    return all;
  }

  /**
   * fabric8 keeps fields its model does not know in {@code additionalProperties} instead of failing; a misspelt or
   * misplaced field would slip through, so every model object in the tree must have none.
   */
  static void assertNoUnknownFields(Object node, String path) {
    if (node == null) return;
    if (node instanceof Collection<?> list) {
      int i = 0;
      for (Object item : list) assertNoUnknownFields(item, path + "[" + i++ + "]");
      return;
    }
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) assertNoUnknownFields(e.getValue(), path + "." + e.getKey());
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) return;
    for (Method m : node.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers())) continue;
      if (!m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) continue;
      Object value;
      try {
        value = m.invoke(node);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      if (m.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          fail("fields unknown to the Kubernetes model at " + path + ": " + extra.keySet());
        }
        continue;
      }
      assertNoUnknownFields(value, path + "." + m.getName().substring(3));
    }
  }
}

package ai.dynamo.deploy.render.k8s;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

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
      assertNoUnknownFields(typed, typed.getKind() + "/" + typed.getMetadata().getName());
      objects.add(typed);
    }
    return objects;
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

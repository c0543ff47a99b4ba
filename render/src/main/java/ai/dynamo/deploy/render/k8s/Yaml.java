package ai.dynamo.deploy.render.k8s;

import java.util.LinkedHashMap;
import java.util.Map;

/** Ordered maps for building Kubernetes objects: insertion order is the key order in the rendered YAML. */
final class Yaml {
  private Yaml() {}

  /**
   * A map of alternating keys and values; entries whose value is null, an empty map or an empty list are left out,
   * so optional fields disappear instead of rendering as {@code null} or {@code {}}.
   */
  static Map<String, Object> map(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) throw new IllegalArgumentException("odd number of keys and values");
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      Object value = keysAndValues[i + 1];
      if (value == null) continue;
      if (value instanceof Map<?, ?> m && m.isEmpty()) continue;
      if (value instanceof java.util.Collection<?> c && c.isEmpty()) continue;
      map.put((String) keysAndValues[i], value);
    }
    return map;
  }
}

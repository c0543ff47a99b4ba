package ai.dynamo.deploy.testing.k8s;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * TEST-ONLY: server-side apply's field ownership on plain maps, for {@link ApplyingCrudDispatcher}. Each manager's
 * fields are recorded in {@code metadata.managedFields} as {@code f:} paths (a list counts as one field); an applied
 * value that differs from a field another manager owns is a conflict ({@code FieldManagerConflict}) unless forced,
 * which moves the field to the applier. The applied object is merged into the stored one as a JSON merge patch
 * (RFC 7386): unlike a real API server, fields a manager stopped applying are not removed.
 */
final class ServerSideApply {
  private ServerSideApply() {}

  /** The object to store, or the conflicts that refuse the apply. */
  record Result(Map<String, Object> object, List<Map<String, Object>> conflicts) {
    String conflictMessage() {
      List<String> texts = new ArrayList<>();
      for (Map<String, Object> c : conflicts) texts.add(c.get("message") + ": " + c.get("field"));
      return "Apply failed with " + conflicts.size() + " conflict" + (conflicts.size() == 1 ? "" : "s") + ": "
          + String.join("; ", texts);
    }
  }

  /** An apply that creates the object: the applier owns every field it set. */
  static Map<String, Object> created(Map<String, Object> applied, String manager) {
    metadata(applied).put("managedFields", List.of(entry(manager, applied, fieldsOf(applied))));
    return applied;
  }

  /** An apply to a stored object: conflicts with other managers' fields, else the merged object. */
  @SuppressWarnings("unchecked")
  static Result updated(Map<String, Object> stored, Map<String, Object> applied, String manager, boolean force) {
    List<Map<String, Object>> entries = new ArrayList<>();
    Object existing = metadata(stored).get("managedFields");
    if (existing instanceof List<?> list) for (Object e : list) entries.add((Map<String, Object>) e);

    List<Map<String, Object>> causes = new ArrayList<>();
    List<Map<String, Object>> kept = new ArrayList<>();
    for (Map<String, Object> e : entries) {
      if (manager.equals(e.get("manager"))) continue;
      Map<String, Object> owned = (Map<String, Object>) e.getOrDefault("fieldsV1", Map.of());
      List<List<String>> paths = new ArrayList<>();
      leaves(owned, new ArrayList<>(), paths);
      List<List<String>> lost = new ArrayList<>();
      for (List<String> p : paths) {
        Object ours = at(applied, p);
        if (ours == null) continue;
        if (!Objects.equals(normalise(ours), normalise(at(stored, p)))) {
          causes.add(cause(e, p));
          lost.add(p);
        }
      }
      if (force) {
        for (List<String> p : lost) remove(owned, p);
      }
      kept.add(e);
    }
    if (!causes.isEmpty() && !force) return new Result(null, causes);
    kept.add(entry(manager, applied, fieldsOf(applied)));
    metadata(applied).put("managedFields", kept);
    return new Result(merge(stored, applied), List.of());
  }

  /** JSON merge patch (RFC 7386) of {@code patch} into a copy of {@code target}. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> merge(Map<String, Object> target, Map<String, Object> patch) {
    Map<String, Object> out = new LinkedHashMap<>(target);
    for (Map.Entry<String, Object> e : patch.entrySet()) {
      Object value = e.getValue();
      if (value == null) {
        out.remove(e.getKey());
      } else if (value instanceof Map<?, ?> m && out.get(e.getKey()) instanceof Map<?, ?> t) {
        out.put(e.getKey(), merge((Map<String, Object>) t, (Map<String, Object>) m));
      } else {
        out.put(e.getKey(), value);
      }
    }
    return out;
  }

  private static Map<String, Object> cause(Map<String, Object> entry, List<String> path) {
    Map<String, Object> cause = new LinkedHashMap<>();
    cause.put("reason", "FieldManagerConflict");
    cause.put("message", "conflict with \"" + entry.get("manager") + "\" using " + entry.get("apiVersion"));
    cause.put("field", "." + String.join(".", path));
    return cause;
  }

  private static Map<String, Object> entry(String manager, Map<String, Object> applied, Map<String, Object> fields) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("manager", manager);
    e.put("operation", "Apply");
    e.put("apiVersion", applied.get("apiVersion"));
    e.put("fieldsType", "FieldsV1");
    e.put("fieldsV1", fields);
    return e;
  }

  /** The fields an applied object sets, in managedFields' {@code f:} form (metadata name/namespace left out). */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> fieldsOf(Map<String, Object> applied) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : applied.entrySet()) {
      String key = e.getKey();
      if (key.equals("apiVersion") || key.equals("kind") || key.equals("status")) continue;
      if (key.equals("metadata")) {
        Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>) e.getValue());
        meta.keySet().removeAll(Set.of("name", "namespace", "managedFields", "resourceVersion", "uid",
            "creationTimestamp", "generation"));
        if (!meta.isEmpty()) out.put("f:metadata", tree(meta));
        continue;
      }
      out.put("f:" + key, e.getValue() instanceof Map<?, ?> m ? tree((Map<String, Object>) m) : new LinkedHashMap<>());
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> tree(Map<String, Object> value) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : value.entrySet()) {
      out.put("f:" + e.getKey(),
          e.getValue() instanceof Map<?, ?> m ? tree((Map<String, Object>) m) : new LinkedHashMap<>());
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void leaves(Map<String, Object> fields, List<String> prefix, List<List<String>> out) {
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      if (!e.getKey().startsWith("f:")) continue;
      List<String> p = new ArrayList<>(prefix);
      p.add(e.getKey().substring(2));
      Map<String, Object> sub = e.getValue() instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
      if (sub.isEmpty()) out.add(p);
      else leaves(sub, p, out);
    }
  }

  @SuppressWarnings("unchecked")
  private static void remove(Map<String, Object> fields, List<String> path) {
    Map<String, Object> node = fields;
    for (int i = 0; i < path.size() - 1; i++) {
      Object next = node.get("f:" + path.get(i));
      if (!(next instanceof Map<?, ?>)) return;
      node = (Map<String, Object>) next;
    }
    node.remove("f:" + path.get(path.size() - 1));
  }

  @SuppressWarnings("unchecked")
  private static Object at(Map<String, Object> object, List<String> path) {
    Object node = object;
    for (String key : path) {
      if (!(node instanceof Map<?, ?> m)) return null;
      node = ((Map<String, Object>) m).get(key);
    }
    return node;
  }

  private static Object normalise(Object value) {
    return value instanceof Number n ? n.toString() : value;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> metadata(Map<String, Object> object) {
    return (Map<String, Object>) object.computeIfAbsent("metadata", k -> new LinkedHashMap<>());
  }
}

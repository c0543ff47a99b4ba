package ai.dynamo.deploy.testing.k8s;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.yaml.snakeyaml.Yaml;

/**
 * TEST-ONLY extension of fabric8's CRUD mock API server. The stock CRUD dispatcher answers server-side apply with
 * 415 and a PATCH of a missing object with 404; this one adds, for tests only:
 *
 * <ul>
 *   <li>server-side apply ({@code PATCH} with {@code application/apply-patch+yaml}): creates the object when
 *       absent, else merges the applied fields into it (JSON merge patch: unlike a real API server it does not
 *       remove fields the manager stopped applying); records the field manager in {@code metadata.managedFields}
 *       (fields as {@code f:} paths, a list counts as one field); refuses with 409 and {@code FieldManagerConflict}
 *       causes when an applied value differs from a field another manager owns, unless {@code force=true}, which
 *       moves the field to the applier
 *   <li>SelfSubjectAccessReview: allowed unless the test denied {@code verb resource} (or {@code verb path} for a
 *       non-resource URL); every review is recorded
 *   <li>a record of every request with its Authorization header
 *   <li>fault injection: the next matching requests answer with a given status code
 *   <li>watch disconnects: {@link #dropWatches()} closes every open watch
 * </ul>
 */
public final class ApplyingCrudDispatcher extends KubernetesCrudDispatcher {
  static final String APPLY_CONTENT_TYPE = "application/apply-patch+yaml";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final Set<String> denied = ConcurrentHashMap.newKeySet();
  private final List<Fault> faults = new CopyOnWriteArrayList<>();
  private final List<WebSocket> watches = new CopyOnWriteArrayList<>();
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, String> podLogs = new ConcurrentHashMap<>();
  private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
  private final List<Map<String, Object>> reviews = Collections.synchronizedList(new ArrayList<>());

  /** A request with the credentials it came with (tests tell the target's requests from the simulators'). */
  public record Seen(String method, String path, String contentType, String authorization) {}

  private static final class Fault {
    final String method;
    final String pathPart;
    final int code;
    int left;

    Fault(String method, String pathPart, int code, int times) {
      this.method = method;
      this.pathPart = pathPart;
      this.code = code;
      this.left = times;
    }
  }

  /** The next {@code times} requests with this method whose path contains {@code pathPart} answer {@code code}. */
  public void failNext(String method, String pathPart, int code, int times) {
    faults.add(new Fault(method, pathPart, code, times));
  }

  /** SelfSubjectAccessReviews for {@code verb} on {@code resource} (e.g. "deployments") answer not allowed. */
  public void deny(String verb, String resource) {
    denied.add(verb + " " + resource);
  }

  /** Closes every open watch connection, as an API server restart or a load balancer timeout would. */
  public int dropWatches() {
    int n = 0;
    for (WebSocket ws : watches) {
      if (ws.close(1000, "dropped by test")) n++;
    }
    watches.clear();
    return n;
  }

  /** Every request so far, with its content type and Authorization header. */
  public List<Seen> seen() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  /** The spec of every SelfSubjectAccessReview so far (resourceAttributes or nonResourceAttributes). */
  public List<Map<String, Object>> reviews() {
    synchronized (reviews) {
      return List.copyOf(reviews);
    }
  }

  /** What the kubelet would return as the log of pod {@code name} (the stock mock has no logs at all). */
  public void podLog(String namespace, String name, String text) {
    podLogs.put(namespace + "/" + name, text);
  }

  /** "METHOD path" of every request so far. */
  public List<String> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    requests.add(request.getMethod() + " " + request.getPath());
    seen.add(new Seen(request.getMethod(), request.getPath(), request.getHeader("Content-Type"),
        request.getHeader("Authorization")));
    MockResponse fault = fault(request);
    if (fault != null) return fault;
    String path = request.getPath();
    if ("POST".equals(request.getMethod()) && path.contains("/selfsubjectaccessreviews")) return review(request);
    if ("GET".equals(request.getMethod()) && path.matches("/api/v1/namespaces/[^/]+/pods/[^/]+/log([?].*)?")) {
      return log(path);
    }
    String contentType = request.getHeader("Content-Type");
    if ("PATCH".equals(request.getMethod()) && contentType != null && contentType.startsWith(APPLY_CONTENT_TYPE)) {
      synchronized (this) {
        return apply(request);
      }
    }
    return super.dispatch(request);
  }

  /** A pod's log as set by {@link #podLog} (else empty), its last {@code tailLines} lines when asked. */
  private MockResponse log(String path) {
    String[] parts = path.split("[/?]");
    String namespace = parts[4];
    String pod = parts[6];
    List<String> lines = List.of(podLogs.getOrDefault(namespace + "/" + pod, "").split("\n", -1));
    if (lines.size() > 0 && lines.get(lines.size() - 1).isEmpty()) lines = lines.subList(0, lines.size() - 1);
    java.util.regex.Matcher tail = java.util.regex.Pattern.compile("[?&]tailLines=([0-9]+)").matcher(path);
    if (tail.find()) lines = lines.subList(Math.max(0, lines.size() - Integer.parseInt(tail.group(1))), lines.size());
    return new MockResponse().setResponseCode(200).setBody(lines.isEmpty() ? "" : String.join("\n", lines) + "\n");
  }

  @Override
  public MockResponse handleWatch(String path) {
    MockResponse response = super.handleWatch(path);
    WebSocketListener inner = response.getWebSocketListener();
    return response.withWebSocketUpgrade(new TrackedListener(inner));
  }

  private MockResponse fault(RecordedRequest request) {
    for (Fault f : faults) {
      synchronized (f) {
        if (f.left > 0 && f.method.equals(request.getMethod()) && request.getPath().contains(f.pathPart)) {
          f.left--;
          return status(f.code, f.code >= 500 ? "InternalError" : "Conflict", "injected by test", List.of());
        }
      }
    }
    return null;
  }

  // ---- server-side apply ----------------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private MockResponse apply(RecordedRequest request) {
    String full = request.getPath();
    int q = full.indexOf('?');
    String path = q < 0 ? full : full.substring(0, q);
    Map<String, String> query = query(q < 0 ? "" : full.substring(q + 1));
    String manager = query.getOrDefault("fieldManager", "unknown");
    boolean force = "true".equals(query.get("force"));
    Map<String, Object> applied = (Map<String, Object>) new Yaml().load(request.getUtf8Body());
    Map<String, Object> appliedFields = fieldsOf(applied);

    MockResponse current = handleGet(path);
    if (current.code() == 404) {
      metadata(applied).put("managedFields", List.of(entry(manager, applied, appliedFields)));
      String collection = path.substring(0, path.lastIndexOf('/'));
      return super.dispatch(request(HttpMethod.POST, collection, "application/json", json(applied)));
    }
    Map<String, Object> stored = (Map<String, Object>) new Yaml().load(current.getBody().readUtf8());
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
    if (!causes.isEmpty() && !force) {
      List<String> texts = new ArrayList<>();
      for (Map<String, Object> c : causes) texts.add(c.get("message") + ": " + c.get("field"));
      return status(409, "Conflict", "Apply failed with " + causes.size() + " conflict"
          + (causes.size() == 1 ? "" : "s") + ": " + String.join("; ", texts), causes);
    }
    kept.add(entry(manager, applied, appliedFields));
    metadata(applied).put("managedFields", kept);
    // JSON merge patch (RFC 7386) of the applied object into the stored one, written back whole: the stock
    // handlers keep uid and creation time, bump resourceVersion, and bump generation when the spec changed.
    Map<String, Object> merged = merge(stored, applied);
    return super.dispatch(request(HttpMethod.PUT, path, "application/json", json(merged)));
  }

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

  // ---- access reviews ---------------------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private MockResponse review(RecordedRequest request) {
    Map<String, Object> review = (Map<String, Object>) new Yaml().load(request.getUtf8Body());
    Map<String, Object> spec = (Map<String, Object>) review.getOrDefault("spec", Map.of());
    reviews.add(spec);
    Map<String, Object> attrs = (Map<String, Object>) spec.getOrDefault("resourceAttributes",
        spec.getOrDefault("nonResourceAttributes", Map.of()));
    Object target = attrs.containsKey("resource") ? attrs.get("resource") : attrs.get("path");
    boolean allowed = !denied.contains(attrs.get("verb") + " " + target);
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("allowed", allowed);
    if (!allowed) status.put("reason", "denied by test");
    review.put("status", status);
    return new MockResponse().setResponseCode(201).setBody(json(review));
  }

  // ---- plumbing ---------------------------------------------------------------------------------------------

  private static RecordedRequest request(HttpMethod method, String path, String contentType, String body) {
    Headers headers = Headers.builder().add("Content-Type", contentType).build();
    return new RecordedRequest("HTTP/1.1", method, path, headers, new Buffer(body.getBytes(StandardCharsets.UTF_8)));
  }

  private static MockResponse status(int code, String reason, String message, List<Map<String, Object>> causes) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("apiVersion", "v1");
    status.put("kind", "Status");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    status.put("code", code);
    if (!causes.isEmpty()) status.put("details", Map.of("causes", causes));
    return new MockResponse().setResponseCode(code).setBody(json(status));
  }

  private static String json(Object value) {
    return SERIALIZATION.asJson(value);
  }

  private static Map<String, String> query(String q) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : q.split("&")) {
      if (part.isEmpty()) continue;
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }

  /** Delegates to fabric8's watch listener and remembers the socket so a test can drop it. */
  private final class TrackedListener extends WebSocketListener {
    private final WebSocketListener inner;

    TrackedListener(WebSocketListener inner) {
      this.inner = inner;
    }

    @Override
    public void onBeforeAccept(WebSocket ws, Response response) {
      inner.onBeforeAccept(ws, response);
    }

    @Override
    public void onOpen(WebSocket ws, Response response) {
      watches.add(ws);
      inner.onOpen(ws, response);
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
      inner.onMessage(ws, text);
    }

    @Override
    public void onMessage(WebSocket ws, ByteString bytes) {
      inner.onMessage(ws, bytes);
    }

    @Override
    public void onMessage(WebSocket ws, byte[] bytes) {
      inner.onMessage(ws, bytes);
    }

    @Override
    public void onPing(WebSocket ws, byte[] bytes) {
      inner.onPing(ws, bytes);
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
      watches.remove(ws);
      inner.onClosing(ws, code, reason);
    }

    @Override
    public void onClosed(WebSocket ws, int code, String reason) {
      watches.remove(ws);
      inner.onClosed(ws, code, reason);
    }

    @Override
    public void onFailure(WebSocket ws, Throwable t, Response response) {
      watches.remove(ws);
      inner.onFailure(ws, t, response);
    }
  }
}

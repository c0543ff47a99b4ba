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
 *       moves the field to the applier (the ownership rules: {@link ServerSideApply})
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

    MockResponse current = handleGet(path);
    if (current.code() == 404) {
      String collection = path.substring(0, path.lastIndexOf('/'));
      return super.dispatch(request(HttpMethod.POST, collection, "application/json",
          json(ServerSideApply.created(applied, manager))));
    }
    Map<String, Object> stored = (Map<String, Object>) new Yaml().load(current.getBody().readUtf8());
    ServerSideApply.Result result = ServerSideApply.updated(stored, applied, manager, force);
    if (!result.conflicts().isEmpty()) {
      return status(409, "Conflict", result.conflictMessage(), result.conflicts());
    }
    // Written back whole: the stock handlers keep uid and creation time, bump resourceVersion, and bump generation
    // when the spec changed.
    return super.dispatch(request(HttpMethod.PUT, path, "application/json", json(result.object())));
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

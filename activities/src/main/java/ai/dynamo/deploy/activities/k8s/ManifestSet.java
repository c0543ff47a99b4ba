package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.Sha256;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import ai.dynamo.deploy.render.k8s.Labels;
import ai.dynamo.deploy.workflows.Stage;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rendered objects of one graph for one revision, as fabric8 objects grouped by component, with what apply
 * adds to the renderer's output: the {@link #REVISION} label and the {@link #SPEC_DIGEST} annotation on every object
 * (which revision of which deploy request wrote it: what {@code isCurrent} compares), on Jobs the
 * {@link #SPEC_HASH} annotation (a Job's pod template is immutable, so a changed Job is deleted and created again),
 * and on LeaderWorkerSets' pod templates {@link LeaderWorkerSetApi#TEMPLATE_HASH}.
 *
 * <p>The renderer writes one file per component in graph order; file i holds component i's objects.
 */
final class ManifestSet {
  // The renderer's keys (Labels) plus the two only the target writes at apply time.
  static final String PREFIX = Labels.PREFIX;
  static final String GRAPH = Labels.GRAPH;
  static final String COMPONENT = Labels.COMPONENT;
  static final String REVISION = PREFIX + "revision";
  static final String SPEC_HASH = PREFIX + "spec-hash";
  /** The deploy request's spec digest (graph plus settings); object metadata only, never the pod template. */
  static final String SPEC_DIGEST = PREFIX + "spec-digest";
  static final String MANAGED_BY = Labels.MANAGED_BY;
  static final String ROLE = Labels.ROLE;
  static final String MANAGER = Labels.MANAGER;

  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final String namespace;
  private final String graphLabel;
  private final int revision;
  private final Map<String, List<HasMetadata>> byComponent;

  private ManifestSet(String namespace, String graphLabel, int revision, Map<String, List<HasMetadata>> byComponent) {
    this.namespace = namespace;
    this.graphLabel = graphLabel;
    this.revision = revision;
    this.byComponent = byComponent;
  }

  /** The objects of {@code rendering} (of {@code graph}, whose request has {@code specDigest}) labelled for {@code revision}. */
  static ManifestSet of(Graph graph, Rendering rendering, String namespace, int revision, String specDigest) {
    List<RenderedFile> files = rendering.files();
    if (files.size() != graph.components().size()) {
      throw new IllegalStateException(
          "the Kubernetes renderer wrote " + files.size() + " files for " + graph.components().size() + " components");
    }
    Map<String, List<HasMetadata>> byComponent = new LinkedHashMap<>();
    String graphLabel = null;
    for (int i = 0; i < files.size(); i++) {
      List<HasMetadata> objects = parse(files.get(i).content());
      for (HasMetadata o : objects) {
        label(o, revision, specDigest);
        if (graphLabel == null) graphLabel = o.getMetadata().getLabels().get(GRAPH);
      }
      byComponent.put(graph.components().get(i).name(), objects);
    }
    return new ManifestSet(namespace, graphLabel, revision, byComponent);
  }

  /** A set put together from objects already labelled (a record with adopted components), keyed as given. */
  static ManifestSet composed(String namespace, String graphLabel, int revision,
      Map<String, List<HasMetadata>> byComponent) {
    return new ManifestSet(namespace, graphLabel, revision, new LinkedHashMap<>(byComponent));
  }

  /** The component label of {@code name}'s objects in this set, or null when it has none. */
  String label(String name) {
    List<HasMetadata> objects = component(name);
    return objects.isEmpty() ? null : objects.get(0).getMetadata().getLabels().get(COMPONENT);
  }

  /** Copies of the objects (a cached set's own objects are never modified). */
  static List<HasMetadata> copies(List<HasMetadata> objects) {
    List<HasMetadata> out = new ArrayList<>();
    for (HasMetadata o : objects) out.add(SERIALIZATION.clone(o));
    return out;
  }

  /** Objects read back from a revision record (already labelled), grouped by our component label. */
  static ManifestSet fromRecord(String yaml, String namespace, String graphLabel, int revision) {
    Map<String, List<HasMetadata>> byComponent = new LinkedHashMap<>();
    for (HasMetadata o : parse(yaml)) {
      byComponent.computeIfAbsent(o.getMetadata().getLabels().get(COMPONENT), k -> new ArrayList<>()).add(o);
    }
    return new ManifestSet(namespace, graphLabel, revision, byComponent);
  }

  static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    String body = yaml.startsWith("---\n") ? yaml.substring(4) : yaml;
    for (String doc : body.split("\n---\n")) {
      if (doc.isBlank()) continue;
      Object parsed = SERIALIZATION.unmarshal(doc);
      if (!(parsed instanceof HasMetadata object)) {
        throw new IllegalStateException("not a Kubernetes object: " + doc.lines().findFirst().orElse(""));
      }
      objects.add(object);
    }
    return objects;
  }

  private static void label(HasMetadata o, int revision, String specDigest) {
    Map<String, String> labels = new LinkedHashMap<>(o.getMetadata().getLabels());
    labels.put(REVISION, Integer.toString(revision));
    o.getMetadata().setLabels(labels);
    Map<String, String> annotations = o.getMetadata().getAnnotations() == null
        ? new LinkedHashMap<>() : new LinkedHashMap<>(o.getMetadata().getAnnotations());
    if (specDigest != null && !specDigest.isEmpty()) annotations.put(SPEC_DIGEST, specDigest);
    if (o instanceof Job job) {
      annotations.put(SPEC_HASH, Sha256.hex(SERIALIZATION.asJson(job.getSpec())).substring(0, 16));
    }
    if (LeaderWorkerSetApi.is(o)) LeaderWorkerSetApi.stampTemplateHash((GenericKubernetesResource) o);
    o.getMetadata().setAnnotations(annotations);
  }

  String namespace() {
    return namespace;
  }

  /** The graph as our label value (a DNS label, possibly shortened by the renderer). */
  String graphLabel() {
    return graphLabel;
  }

  int revision() {
    return revision;
  }

  List<HasMetadata> all() {
    List<HasMetadata> all = new ArrayList<>();
    byComponent.values().forEach(all::addAll);
    return all;
  }

  List<HasMetadata> component(String name) {
    return byComponent.getOrDefault(name, List.of());
  }

  /**
   * What one stage applies. A multi-node service group: {@link Stage#LEADER} is everything but the worker
   * StatefulSets, {@link Stage#WORKERS} the worker StatefulSets. A multi-node batch group's pods must all run
   * together (one Indexed Job per group), and a LeaderWorkerSet starts its workers itself, so for both the leader
   * stage applies everything and the workers stage nothing.
   */
  static List<HasMetadata> forStage(Component c, List<HasMetadata> objects, Stage stage) {
    // A LeaderWorkerSet starts a group's workers itself once its leader is ready (startupPolicy LeaderReady).
    boolean oneObjectPerGroup = c.isBatch() || objects.stream().anyMatch(LeaderWorkerSetApi::is);
    if (stage == Stage.ALL || oneObjectPerGroup) return stage == Stage.WORKERS ? List.of() : objects;
    List<HasMetadata> out = new ArrayList<>();
    for (HasMetadata o : objects) {
      boolean workers = isWorkerStatefulSet(o);
      if (workers == (stage == Stage.WORKERS)) out.add(o);
    }
    return out;
  }

  static boolean isWorkerStatefulSet(HasMetadata o) {
    return o instanceof StatefulSet && "worker".equals(o.getMetadata().getLabels().get(ROLE));
  }

  /** The whole set as one multi-document YAML (what a revision record stores). */
  String toYaml() {
    StringBuilder out = new StringBuilder();
    for (HasMetadata o : all()) {
      String doc = SERIALIZATION.asYaml(o);
      out.append(doc.startsWith("---") ? doc : "---\n" + doc);
      if (!doc.endsWith("\n")) out.append('\n');
    }
    return out.toString();
  }

  /** {@code Kind/name}: how objects are compared across revisions. */
  static String key(HasMetadata o) {
    return o.getKind() + "/" + o.getMetadata().getName();
  }

  /** The keys ({@link #key}) of some objects. */
  static java.util.Set<String> keys(List<HasMetadata> objects) {
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (HasMetadata o : objects) keys.add(key(o));
    return keys;
  }
}

package ai.dynamo.deploy.render.k8s;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Labels and annotations on rendered objects. Selectors use only labels that never change between revisions of a
 * graph (graph, component, role, group), because Deployment and StatefulSet selectors are immutable.
 *
 * <p>The keys are public because the Kubernetes target finds, owns and prunes objects by them: one definition
 * for the writer and the reader.
 */
public final class Labels {
  private Labels() {}

  public static final String PREFIX = "deploy.dynamo.ai/";
  public static final String GRAPH = PREFIX + "graph";
  public static final String COMPONENT = PREFIX + "component";
  /** Multi-node: the group (replica) a worker StatefulSet belongs to. */
  public static final String GROUP = PREFIX + "group";
  /** The IR digest ({@code GraphDigest.sha256}); an annotation on object metadata, never on pod templates. */
  public static final String IR_DIGEST = PREFIX + "ir-digest";

  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  /** The role of the pods: {@link Role}. */
  public static final String ROLE = "app.kubernetes.io/component";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGER = "dynamo-deploy";

  /**
   * The value of {@link #GRAPH} for a graph name, as every rendered object carries it: the name as a DNS label,
   * shortened with a hash suffix when it is longer than a label value may be. For readers that know only the name
   * (history, revision records).
   */
  public static String graphValue(String graphName) {
    return K8sNames.fit(ai.dynamo.deploy.ir.Names.dnsLabel(graphName), K8sNames.MAX_LABEL);
  }

  /** The value of {@link #COMPONENT} for a component name, as every rendered object and pod carries it. */
  public static String componentValue(String componentName) {
    return K8sNames.fit(ai.dynamo.deploy.ir.Names.dnsLabel(componentName), K8sNames.MAX_LABEL);
  }

  /** What a set of pods does within its component. */
  enum Role {
    /** single-node long-running service (Deployment) */
    SERVICE("service"),
    /** run-to-completion (Job) */
    BATCH("batch"),
    /** rank 0 of each multi-node group (leader StatefulSet) */
    LEADER("leader"),
    /** ranks 1..N-1 of a multi-node group (worker StatefulSets) */
    WORKER("worker"),
    /** a multi-node group as one LeaderWorkerSet (its pods are leaders and workers) */
    GROUP("group");

    final String value;

    Role(String value) {
      this.value = value;
    }
  }

  /** The selector of a component's pods in one role. */
  static Map<String, String> selector(K8sNames names, Role role) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(GRAPH, names.graphLabel());
    selector.put(COMPONENT, names.componentLabel());
    selector.put(ROLE, role.value);
    return selector;
  }

  /** The selector of one multi-node group's workers. */
  static Map<String, String> groupSelector(K8sNames names, int group) {
    Map<String, String> selector = selector(names, Role.WORKER);
    selector.put(GROUP, Integer.toString(group));
    return selector;
  }

  /** All labels of objects and pods in one role; {@code group} is null except for worker StatefulSets. */
  static Map<String, String> all(K8sNames names, Role role, Integer group) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, names.componentLabel());
    labels.put(INSTANCE, names.base());
    labels.put(ROLE, role.value);
    labels.put(PART_OF, names.graphLabel());
    labels.put(MANAGED_BY, MANAGER);
    labels.put(GRAPH, names.graphLabel());
    labels.put(COMPONENT, names.componentLabel());
    if (group != null) labels.put(GROUP, Integer.toString(group));
    return labels;
  }
}

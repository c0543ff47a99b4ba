package ai.dynamo.deploy.render.k8s;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.Names;
import ai.dynamo.deploy.ir.Sha256;

/**
 * Kubernetes names for one component of one graph, derived in one place (documented in
 * docs/kubernetes-render.md, "Naming").
 *
 * <p>Every object name starts with the component's base name {@code <graph>-<component>} (both as
 * {@link Names#dnsLabel}), so two graphs in one namespace never collide. When a name would exceed its Kubernetes
 * limit, the base is cut and a short hash of the full base is appended, so the result is still deterministic and
 * still unique.
 */
final class K8sNames {
  /** DNS-1035 / DNS-1123 labels: Service names, container names, label values, pod host names. */
  static final int MAX_LABEL = 63;

  /**
   * StatefulSet names: the controller puts {@code <name>-<10-char hash>} into the {@code controller-revision-hash}
   * label of every pod, and a label value may have at most 63 characters.
   */
  static final int MAX_STATEFULSET = 52;

  /** Length of the hash suffix ({@code -} + 8 hex digits) added to a shortened name. */
  static final int HASH_SUFFIX = 9;

  static final String LEADER_SUFFIX = "-leader";
  static final String WORKER_SUFFIX = "-worker";
  static final String GROUP_SUFFIX = "-group";
  static final String LWS_SUFFIX = "-lws";

  private final String base;
  private final String graphLabel;
  private final String componentLabel;

  private K8sNames(String base, String graphLabel, String componentLabel) {
    this.base = base;
    this.graphLabel = graphLabel;
    this.componentLabel = componentLabel;
  }

  static K8sNames of(Graph graph, Component component) {
    String graph1123 = requireLabel(Names.dnsLabel(graph.name()), "graph name", graph.name());
    String component1123 = requireLabel(Names.dnsLabel(component.name()), "component name", component.name());
    // Service names are DNS-1035 labels: they must start with a letter.
    String graphPart = Character.isLetter(graph1123.charAt(0)) ? graph1123 : "g-" + graph1123;
    return new K8sNames(
        base(graphPart, component1123, MAX_LABEL - longestSuffix(component)),
        fit(graph1123, MAX_LABEL),
        fit(component1123, MAX_LABEL));
  }

  /**
   * {@code <graph>-<component>} if it fits {@code max}; else both parts cut (the component keeps at least half of
   * the room, so names stay recognisable) followed by {@code -} and 8 hex digits of the full name's SHA-256.
   */
  static String base(String graphPart, String componentPart, int max) {
    String full = graphPart + "-" + componentPart;
    if (full.length() <= max) return full;
    int room = max - HASH_SUFFIX - 1;
    int graphLength = Math.min(graphPart.length(), Math.max(room / 2, room - componentPart.length()));
    int componentLength = Math.min(componentPart.length(), room - graphLength);
    return trimDashes(graphPart.substring(0, graphLength)) + "-"
        + trimDashes(componentPart.substring(0, componentLength)) + "-" + Sha256.hex(full).substring(0, 8);
  }

  /**
   * How many characters the longest derived name adds to the base, measured against {@link #MAX_LABEL}: a
   * multi-node worker StatefulSet {@code <base>-worker-<group>} must fit {@link #MAX_STATEFULSET}.
   */
  private static int longestSuffix(Component component) {
    if (!component.multiNode().isMultiNode()) return 0;
    int groupDigits = Integer.toString(Math.max(0, component.replicas() - 1)).length();
    if (component.isBatch()) {
      // Indexed Job pods are named <job>-<index> in DNS, and a host name is a label.
      int rankDigits = Integer.toString(component.multiNode().numNodes() - 1).length();
      return GROUP_SUFFIX.length() + 1 + groupDigits + 1 + rankDigits;
    }
    int workerSuffix = WORKER_SUFFIX.length() + 1 + groupDigits;
    return (MAX_LABEL - MAX_STATEFULSET) + workerSuffix;
  }

  /** {@code name} if it fits {@code max}, else its first characters, {@code -}, and 8 hex digits of its SHA-256. */
  static String fit(String name, int max) {
    if (name.length() <= max) return name;
    return trimDashes(name.substring(0, max - HASH_SUFFIX)) + "-" + Sha256.hex(name).substring(0, 8);
  }

  private static String trimDashes(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '-') end--;
    return s.substring(0, end);
  }

  private static String requireLabel(String label, String what, String asWritten) {
    if (label.isEmpty()) {
      throw new IllegalArgumentException(
          what + " \"" + asWritten + "\" has no character usable in a Kubernetes name (a-z, 0-9)");
    }
    return label;
  }

  /** {@code <graph>-<component>}: Deployment, Job, client Service, and the prefix of every other name. */
  String base() {
    return base;
  }

  /** The graph as a label value ({@code app.kubernetes.io/part-of}, {@code deploy.dynamo.ai/graph}). */
  String graphLabel() {
    return graphLabel;
  }

  /** The component as a label value and container name. */
  String componentLabel() {
    return componentLabel;
  }

  /** Multi-node: the leader StatefulSet and the headless Service that names its pods. */
  String leader() {
    return base + LEADER_SUFFIX;
  }

  /** Multi-node: the headless Service that names the worker pods. */
  String workerService() {
    return base + WORKER_SUFFIX;
  }

  /** Multi-node: the worker StatefulSet of group {@code group} (0-based, the same as its leader's pod index). */
  String workers(int group) {
    return base + WORKER_SUFFIX + "-" + group;
  }

  /**
   * Multi-node with LeaderWorkerSet: the LeaderWorkerSet. LWS names its leader StatefulSet and headless Service
   * after it, group g's worker StatefulSet {@code <name>-<g>} and its pods {@code <name>-<g>-<rank>}; the suffix
   * keeps the headless Service clear of the client Service {@code <base>}. {@code -lws-<g>} is shorter than
   * {@code -worker-<g>}, which the base is already cut for, so these names fit too.
   */
  String leaderWorkerSet() {
    return base + LWS_SUFFIX;
  }

  /** Multi-node batch: the headless Service that names the pods of every group's Indexed Job. */
  String batchGroups() {
    return base + GROUP_SUFFIX;
  }

  /** Multi-node batch: the Indexed Job of group {@code group}. */
  String batchGroup(int group) {
    return base + GROUP_SUFFIX + "-" + group;
  }

  /**
   * The stable DNS name of a pod with host name {@code podHost} under the headless Service {@code service}.
   * Relative to the cluster domain: the pod's DNS search path completes it, so clusters with a domain other than
   * {@code cluster.local} work too.
   */
  String podHost(String podHost, String service, String namespace) {
    return podHost + "." + service + "." + namespace + ".svc";
  }

  /** File name of the component's manifests. */
  String fileName() {
    return componentLabel + ".yaml";
  }
}

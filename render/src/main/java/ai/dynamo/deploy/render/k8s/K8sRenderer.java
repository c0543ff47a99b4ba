package ai.dynamo.deploy.render.k8s;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphDigest;
import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renders a graph into Kubernetes manifests: one multi-document YAML file per component, named after the component,
 * in the graph's order, so {@code kubectl apply -f DIR} applies them. Pure and deterministic: the same graph and
 * settings give the same bytes. The objects, names, labels and rules are described in docs/kubernetes-render.md.
 */
public final class K8sRenderer {
  private K8sRenderer() {}

  public static final String DEFAULT_NAMESPACE = "default";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  /**
   * @throws IllegalArgumentException for an invalid namespace setting, or a graph the Kubernetes target cannot
   *     express (the message names the component)
   */
  public static Rendering render(Graph graph, Map<String, String> settings) {
    String namespace = namespace(settings);
    PodSettings pods = PodSettings.of(settings);
    MultiNodeMode mode = MultiNodeMode.of(settings);
    if (mode == MultiNodeMode.AUTO) {
      for (Component c : graph.components()) {
        if (c.multiNode().isMultiNode() && !c.isBatch()) {
          throw new IllegalArgumentException(
              "setting " + TargetSettingKeys.K8S_MULTINODE + "=auto is decided by the cluster at deploy time (lws when "
                  + "it serves the LeaderWorkerSet API); to render files, choose " + TargetSettingKeys.K8S_MULTINODE
                  + "=statefulset or " + TargetSettingKeys.K8S_MULTINODE + "=lws (component \"" + c.name()
                  + "\" spans " + c.multiNode().numNodes() + " nodes)");
        }
      }
    }
    String digest = GraphDigest.sha256(graph);
    List<String> warnings = new ArrayList<>();
    List<RenderedFile> files = new ArrayList<>();
    Map<String, String> fileOwners = new HashMap<>();
    for (Component c : graph.components()) {
      K8sNames names = K8sNames.of(graph, c);
      String previous = fileOwners.putIfAbsent(names.fileName(), c.name());
      if (previous != null) {
        throw new IllegalArgumentException(
            "components \"" + previous + "\" and \"" + c.name() + "\" have the same Kubernetes name \""
                + names.componentLabel() + "\"");
      }
      List<Map<String, Object>> objects =
          new ComponentManifests(c, names, namespace, digest, warnings, pods, mode).objects();
      files.add(new RenderedFile(names.fileName(), KubeYaml.documents(objects), false));
    }
    return new Rendering(files, warnings);
  }

  /**
   * What is wrong with the value of one Kubernetes render setting, or null when it is fine or not a render setting:
   * for the CLI, which names the flag or profile line it came from.
   */
  public static String settingProblem(String key, String value) {
    if (key.equals(TargetSettingKeys.K8S_NAMESPACE)) return namespaceProblem(value);
    if (key.equals(TargetSettingKeys.K8S_MULTINODE)) return MultiNodeMode.problem(value);
    if (key.equals(TargetSettingKeys.READINESS_TIMEOUT_SECONDS)) return StartupWindow.problem(value);
    return PodSettings.problem(key, value);
  }

  /** Every problem with the render settings, each as {@code setting KEY: message}. */
  public static List<String> settingProblems(Map<String, String> settings) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(settings).entrySet()) {
      String problem = settingProblem(e.getKey(), e.getValue());
      if (problem != null) problems.add("setting " + e.getKey() + ": " + problem);
    }
    return problems;
  }

  private static String namespaceProblem(String namespace) {
    return namespace.length() > 63 || !DNS_LABEL.matcher(namespace).matches()
        ? "\"" + namespace + "\" is not a Kubernetes namespace name (lower-case letters, digits and '-', starting "
            + "and ending with a letter or digit, at most 63)"
        : null;
  }

  private static String namespace(Map<String, String> settings) {
    String namespace = settings.getOrDefault(TargetSettingKeys.K8S_NAMESPACE, DEFAULT_NAMESPACE);
    String problem = namespaceProblem(namespace);
    if (problem != null) {
      throw new IllegalArgumentException("setting " + TargetSettingKeys.K8S_NAMESPACE + ": " + problem);
    }
    return namespace;
  }
}

package ai.dynamo.deploy.render.k8s;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphDigest;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import ai.dynamo.deploy.render.TargetSettings;
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
      List<Map<String, Object>> objects = new ComponentManifests(c, names, namespace, digest, warnings).objects();
      files.add(new RenderedFile(names.fileName(), KubeYaml.documents(objects), false));
    }
    return new Rendering(files, warnings);
  }

  private static String namespace(Map<String, String> settings) {
    String namespace = settings.getOrDefault(TargetSettings.K8S_NAMESPACE, DEFAULT_NAMESPACE);
    if (namespace.length() > 63 || !DNS_LABEL.matcher(namespace).matches()) {
      throw new IllegalArgumentException(
          "setting " + TargetSettings.K8S_NAMESPACE + ": \"" + namespace + "\" is not a Kubernetes namespace name "
              + "(lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63)");
    }
    return namespace;
  }
}

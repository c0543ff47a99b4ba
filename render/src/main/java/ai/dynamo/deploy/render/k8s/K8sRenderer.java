package ai.dynamo.deploy.render.k8s;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.Rendering;
import java.util.Map;

/** Renders a graph into Kubernetes manifests, one YAML file per component. */
public final class K8sRenderer {
  private K8sRenderer() {}

  public static Rendering render(Graph graph, Map<String, String> settings) {
    // Placeholder until the Kubernetes renderer lands (issue 3); never shipped as done.
    throw new UnsupportedOperationException("Kubernetes rendering is not implemented yet");
  }
}

package ai.dynamo.deploy.render;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.k8s.K8sRenderer;
import ai.dynamo.deploy.render.slurm.SlurmRenderer;
import java.util.Map;

/** The one entry point for rendering, used by {@code dynamo deploy --out_dir} and by the render activity. */
public final class Renderers {
  private Renderers() {}

  /**
   * Renders a validated graph for a target kind ({@code k8s} or {@code slurm}) with its settings.
   *
   * @throws IllegalArgumentException for an unknown target kind or an invalid setting (message names it)
   */
  public static Rendering render(Graph graph, String targetKind, Map<String, String> settings) {
    return switch (targetKind) {
      case "k8s" -> K8sRenderer.render(graph, settings);
      case "slurm" -> SlurmRenderer.render(graph, settings);
      default -> throw new IllegalArgumentException(
          "unknown target \"" + targetKind + "\" (valid targets: k8s, slurm)");
    };
  }
}

package ai.dynamo.deploy.ir;

import java.util.List;

/**
 * Checks that depend on where the graph goes, run after the target-agnostic rules passed. Kubernetes pulls an image
 * for every container, so a missing or placeholder image is an error there; Slurm can run on the node's own
 * software, so the image is optional.
 */
final class TargetChecks {
  private TargetChecks() {}

  static void check(Graph graph, Target target, SourceMap where, Problems problems) {
    if (target == null) return;
    List<Component> components = graph.components();
    for (int i = 0; i < components.size(); i++) {
      Component c = components.get(i);
      String path = "components[" + i + "]";
      switch (target) {
        case K8S -> kubernetes(c, path, where, problems);
        case SLURM -> {
          // No Slurm-only rule yet: images are optional and every other field has a Slurm meaning.
        }
      }
    }
  }

  private static void kubernetes(Component c, String path, SourceMap where, Problems problems) {
    if (c.image() == null) {
      problems.error(where.node(path), path + ".image",
          "component \"" + c.name() + "\" has no image; Kubernetes needs a pullable container image");
    } else if (Names.isPlaceholderImage(c.image())) {
      problems.error(where.nodeOr(path + ".image", path), path + ".image",
          "component \"" + c.name() + "\" has the placeholder image \"" + c.image() + "\"; Kubernetes needs a pullable container image");
    }
    for (EnvVar env : c.environment()) {
      if (env.name().equals("CUDA_VISIBLE_DEVICES")) {
        String p = path + ".environment.CUDA_VISIBLE_DEVICES";
        problems.warning(where.nodeOr(p, path), p,
            "set by hand; on Kubernetes the device plugin assigns GPUs to the container, so this may name devices it does not have");
      }
    }
  }
}

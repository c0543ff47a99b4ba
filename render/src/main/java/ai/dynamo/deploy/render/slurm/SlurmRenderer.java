package ai.dynamo.deploy.render.slurm;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.Names;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a graph into sbatch scripts: one script per component replica, at {@code <component>-<replica>/
 * <component>-<replica>.sbatch}, in the graph's component order. Pure and deterministic (docs/slurm.md).
 */
public final class SlurmRenderer {
  private SlurmRenderer() {}

  /**
   * @throws IllegalArgumentException for a setting or a value that cannot be rendered safely (message names it)
   */
  public static Rendering render(Graph graph, Map<String, String> settings) {
    SlurmOptions options = SlurmOptions.from(settings);
    List<RenderedFile> files = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    // Distinct labels give distinct job names and directories: a replica number never contains '-'.
    Map<String, String> labelOwners = new HashMap<>();
    for (Component c : graph.components()) {
      String label = Names.dnsLabel(c.name());
      String other = labelOwners.putIfAbsent(label, c.name());
      if (other != null) {
        throw new IllegalArgumentException(
            "components \"" + other + "\" and \"" + c.name() + "\" get the same Slurm name \"" + label + "\"");
      }
      for (int replica = 0; replica < c.replicas(); replica++) {
        files.add(new RenderedFile(
            SlurmNames.scriptPath(c.name(), replica), SbatchScript.render(graph, c, replica, options), true));
      }
    }
    String unused = options.pyxis() ? null : imagesUnused(graph);
    if (unused != null) warnings.add(unused);
    return new Rendering(files, warnings);
  }

  /**
   * What a user who wrote images must hear when the deploy runs without a container runtime: the commands run on the
   * nodes' own software. Null when no component names a real image. Also said by {@code validate --target slurm},
   * which knows no settings.
   */
  public static String imagesUnused(Graph graph) {
    List<String> withImage = new ArrayList<>();
    for (Component c : graph.components()) {
      if (!Names.isPlaceholderImage(c.image())) withImage.add(c.name());
    }
    return withImage.isEmpty() ? null : "images are not used on Slurm unless the setting container=pyxis is set"
        + " (--container pyxis; components with an image: " + String.join(", ", withImage) + ")";
  }
}

package ai.dynamo.deploy.render.slurm;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.Rendering;
import java.util.Map;

/** Renders a graph into sbatch scripts. */
public final class SlurmRenderer {
  private SlurmRenderer() {}

  public static Rendering render(Graph graph, Map<String, String> settings) {
    // Placeholder until the Slurm renderer lands (issue 3); never shipped as done.
    throw new UnsupportedOperationException("Slurm rendering is not implemented yet");
  }
}

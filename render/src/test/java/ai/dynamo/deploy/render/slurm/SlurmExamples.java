package ai.dynamo.deploy.render.slurm;

import ai.dynamo.deploy.render.Rendering;
import java.util.LinkedHashMap;
import java.util.Map;

/** The example graph files rendered for Slurm (filled in once the IR loader is on this branch). */
final class SlurmExamples {
  private SlurmExamples() {}

  static Map<String, Rendering> renderAll(Map<String, String> settings) {
    return new LinkedHashMap<>();
  }
}

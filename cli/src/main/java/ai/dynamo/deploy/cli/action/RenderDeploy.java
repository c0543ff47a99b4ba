package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.render.Renderers;
import ai.dynamo.deploy.render.Rendering;
import ai.dynamo.deploy.render.TargetSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code dynamo deploy --out_dir DIR}: renders a validated graph for a target into files, without Temporal or a
 * cluster. Rendering is pure, so the same input writes byte-identical files.
 */
public final class RenderDeploy {
  private RenderDeploy() {}

  /**
   * @param written the paths written, in the renderer's order
   * @param removed files of an earlier render into the directory that this one no longer has, removed
   * @param warnings the renderer's warnings
   */
  public record Result(List<Path> written, List<Path> removed, List<String> warnings) {
    /**
     * The {@code -o json} document: the output directory, the files written (in order), those removed and the
     * warnings.
     */
    public java.util.Map<String, Object> document(Path outDir) {
      java.util.Map<String, Object> doc = new java.util.LinkedHashMap<>();
      doc.put("outDir", outDir.toString());
      doc.put("files", written.stream().map(Path::toString).toList());
      doc.put("removed", removed.stream().map(Path::toString).toList());
      doc.put("warnings", warnings);
      return doc;
    }
  }

  /**
   * @param readinessTimeout the deploy's {@code --timeout}, which Kubernetes' startup probes allow a pod to start in
   *     (a render input, as for a deploy: {@link TargetSettingKeys#READINESS_TIMEOUT_SECONDS})
   */
  public static Result render(Graph graph, TargetChoice target, Duration readinessTimeout, Path outDir) {
    if (!target.builtIn()) {
      throw new UserError(ExitCodes.INVALID,
          "error: --out_dir renders for k8s or slurm; the " + target.kind() + " target has no files");
    }
    OutputWriter.checkDirectory(outDir);
    Rendering rendering;
    try {
      Map<String, String> settings = new TreeMap<>(target.settings());
      settings.put(TargetSettingKeys.READINESS_TIMEOUT_SECONDS,
          TargetSettings.readinessTimeoutSeconds(readinessTimeout));
      rendering = Renderers.render(graph, target.kind(), settings);
    } catch (IllegalArgumentException e) {
      throw new UserError(ExitCodes.INVALID, "error: " + e.getMessage(), e);
    }
    OutputWriter.Written written =
        OutputWriter.write(outDir, rendering.files(), "graph " + graph.name() + ", target " + target.kind());
    return new Result(written.written(), written.removed(), rendering.warnings());
  }
}

package ai.dynamo.deploy.render;

import java.util.List;

/**
 * The result of rendering one graph for one target: files in a stable order, plus warnings that do not stop the
 * render. Rendering is pure: the same graph and settings give byte-identical files.
 */
public record Rendering(List<RenderedFile> files, List<String> warnings) {
  public Rendering {
    files = List.copyOf(files);
    warnings = List.copyOf(warnings);
  }
}

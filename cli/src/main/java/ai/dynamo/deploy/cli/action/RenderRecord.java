package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The record of what {@code dynamo deploy --out_dir} wrote into a directory: {@value #NAME}, one relative path a
 * line. It is how a later render tells its own earlier files (replaced, or removed when no longer rendered) from the
 * user's (never touched). A hidden name without a manifest extension, so {@code kubectl apply -f DIR} and a
 * {@code DIR/* /*.sbatch} loop pass it by.
 */
final class RenderRecord {
  private RenderRecord() {}

  static final String NAME = ".dynamo-rendered";

  /** The paths the record names; none when there is no record. A path that leaves the directory is refused. */
  static Set<String> read(Path outDir) {
    Path file = outDir.resolve(NAME);
    Set<String> paths = new LinkedHashSet<>();
    if (!Files.isRegularFile(file)) return paths;
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UserError(ExitCodes.INVALID, "error: cannot read " + file + ": " + e.getMessage(), e);
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#")) continue;
      try {
        OutputWriter.resolveInside(outDir, line);
      } catch (UserError e) {
        throw new UserError(ExitCodes.INVALID, "error: " + file + ":" + (i + 1) + ": \"" + line
            + "\" is not a path inside " + outDir + "; fix or delete the record (it lists what dynamo rendered here)");
      }
      paths.add(line);
    }
    return paths;
  }

  /** Replaces the record in one step (a temporary file renamed over it), so it is never half-written. */
  static void write(Path outDir, String origin, Collection<String> paths) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("# Written by dynamo deploy --out_dir (" + origin + "): the files of ours in this directory. The next");
    lines.add("# render here replaces them and removes those it no longer renders; other files are left alone.");
    lines.addAll(paths);
    OutputWriter.replace(outDir.resolve(NAME), String.join("\n", lines) + "\n", false);
  }
}

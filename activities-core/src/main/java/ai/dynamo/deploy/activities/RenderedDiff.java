package ai.dynamo.deploy.activities;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Unified diffs of a component's rendered files, live revision against the request (java-diff-utils), file by file
 * like {@code diff -u}: {@code --- live/rev-3/<path>} and {@code +++ new/<path>}, three lines of context.
 */
public final class RenderedDiff {
  private RenderedDiff() {}

  static final int CONTEXT = 3;

  /** The unified diff of {@code live} against {@code wanted} (path to text); empty when equal. */
  public static String unified(Map<String, String> live, Map<String, String> wanted, int liveRevision) {
    StringBuilder out = new StringBuilder();
    TreeSet<String> paths = new TreeSet<>(live.keySet());
    paths.addAll(wanted.keySet());
    for (String path : paths) {
      List<String> before = lines(live.get(path));
      List<String> after = lines(wanted.get(path));
      Patch<String> patch = DiffUtils.diff(before, after);
      if (patch.getDeltas().isEmpty()) continue;
      String from = live.containsKey(path) ? "live/rev-" + liveRevision + "/" + path : "/dev/null";
      String to = wanted.containsKey(path) ? "new/" + path : "/dev/null";
      for (String line : UnifiedDiffUtils.generateUnifiedDiff(from, to, before, patch, CONTEXT)) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }

  private static List<String> lines(String text) {
    if (text == null || text.isEmpty()) return new ArrayList<>();
    return new ArrayList<>(List.of(text.split("\n", -1)));
  }
}

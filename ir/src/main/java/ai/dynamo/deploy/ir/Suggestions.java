package ai.dynamo.deploy.ir;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean" for misspelt keys and values (and, in the CLI, verbs and flags). */
public final class Suggestions {
  private Suggestions() {}

  /** The closest candidate within a small edit distance, or null when none is close enough to be a typo. */
  public static String closest(String typed, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String t = typed.toLowerCase(Locale.ROOT);
    for (String c : candidates) {
      int d = distance(t, c.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    // Two edits for words of five letters or more, one for shorter ones: "replica" -> "replicas", "gpus" -> "gpu".
    int allowed = typed.length() >= 5 ? 2 : 1;
    return bestDistance <= allowed ? best : null;
  }

  /** Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) d[i][0] = i;
    for (int j = 0; j <= b.length(); j++) d[0][j] = j;
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}

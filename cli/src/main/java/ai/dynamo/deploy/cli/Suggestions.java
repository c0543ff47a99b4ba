package ai.dynamo.deploy.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * "Did you mean" for a mistyped verb or flag: the command's own verb or option name closest to what was typed, by
 * edit distance with transpositions ({@code --wiat} is one step from {@code --wait}), when it is close enough.
 */
final class Suggestions {
  private Suggestions() {}

  static String describe(CommandLine.ParameterException ex) {
    if (!(ex instanceof CommandLine.UnmatchedArgumentException unmatched) || unmatched.getUnmatched().isEmpty()) {
      return ex.getMessage();
    }
    String word = unmatched.getUnmatched().get(0);
    CommandSpec spec = ex.getCommandLine().getCommandSpec();
    boolean option = word.startsWith("-");
    String typed = option && word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
    List<String> names = new ArrayList<>();
    if (option) {
      for (OptionSpec o : spec.options()) if (!o.hidden()) names.addAll(List.of(o.names()));
    } else {
      names.addAll(spec.subcommands().keySet());
    }
    String what = option ? "unknown option " + typed
        : "unknown " + (spec.subcommands().isEmpty() ? "argument " : "command ") + typed;
    String best = closest(typed, names);
    return best == null ? what : what + "; did you mean " + best + "?";
  }

  /** The name nearest to {@code typed}, or null when none is within a third of its length (at least 2 edits). */
  static String closest(String typed, List<String> names) {
    return names.stream()
        .filter(n -> distance(typed, n) <= Math.max(2, typed.length() / 3))
        .min(Comparator.comparingInt((String n) -> distance(typed, n)).thenComparing(n -> n))
        .orElse(null);
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
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

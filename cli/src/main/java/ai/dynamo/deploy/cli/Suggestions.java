package ai.dynamo.deploy.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * "Did you mean" for a mistyped verb or flag: the command's own verb or option name closest to what was typed, with
 * the graph file's rule ({@code ir.Suggestions}: edit distance with transpositions, {@code --wiat} is one step from
 * {@code --wait}), when it is close enough.
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
    String best = ai.dynamo.deploy.ir.Suggestions.closest(typed, names);
    return best == null ? what : what + "; did you mean " + best + "?";
  }
}

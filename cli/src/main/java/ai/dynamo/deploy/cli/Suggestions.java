package ai.dynamo.deploy.cli;

import java.util.List;
import picocli.CommandLine;

/** "Did you mean" for a mistyped verb or flag, from picocli's own similarity match over the command's names. */
final class Suggestions {
  private Suggestions() {}

  static String describe(CommandLine.ParameterException ex) {
    if (!(ex instanceof CommandLine.UnmatchedArgumentException unmatched) || unmatched.getUnmatched().isEmpty()) {
      return ex.getMessage();
    }
    String word = unmatched.getUnmatched().get(0);
    List<String> similar = unmatched.getSuggestions();
    String what = word.startsWith("-") ? "unknown option " + word
        : "unknown " + (ex.getCommandLine().getSubcommands().isEmpty() ? "argument " : "command ") + word;
    if (similar.isEmpty()) return what;
    return what + "; did you mean " + String.join(" or ", similar.subList(0, Math.min(3, similar.size()))) + "?";
  }
}

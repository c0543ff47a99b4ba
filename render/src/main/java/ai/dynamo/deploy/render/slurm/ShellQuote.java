package ai.dynamo.deploy.render.slurm;

import java.util.List;
import java.util.stream.Collectors;

/**
 * POSIX single-quote quoting: inside {@code '...'} the shell expands nothing ({@code $(...)}, backticks,
 * {@code $VAR}, {@code ;} and newlines all stay literal); a {@code '} itself is written {@code '\''}.
 */
final class ShellQuote {
  private ShellQuote() {}

  /** One shell word that the shell turns back into exactly {@code value}. */
  static String quote(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a value contains a NUL character, which no shell argument can hold");
    }
    return "'" + value.replace("'", "'\\''") + "'";
  }

  /** Each value quoted, joined by single spaces. */
  static String quoteAll(List<String> values) {
    return values.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
  }
}

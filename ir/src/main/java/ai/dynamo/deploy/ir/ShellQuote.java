package ai.dynamo.deploy.ir;

import java.util.List;
import java.util.stream.Collectors;

/**
 * POSIX single-quote quoting: inside {@code '...'} the shell expands nothing ({@code $(...)}, backticks,
 * {@code $VAR}, {@code ;} and newlines all stay literal); a {@code '} itself is written {@code '\''}. The one quoting
 * of the sbatch scripts (render) and of the commands shown to people (the workflow's paused message, the CLI's
 * suggestions), so it lives here, below both.
 */
public final class ShellQuote {
  private static final java.util.regex.Pattern PLAIN = java.util.regex.Pattern.compile("[A-Za-z0-9@%+=:,./_-]+");

  private ShellQuote() {}

  /** One shell word that the shell turns back into exactly {@code value}. */
  public static String quote(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a value contains a NUL character, which no shell argument can hold");
    }
    return "'" + value.replace("'", "'\\''") + "'";
  }

  /** As {@link #quote}, but a word the shell leaves as it is stays unquoted (for commands shown to people). */
  public static String word(String value) {
    return PLAIN.matcher(value).matches() ? value : quote(value);
  }

  /** Each value quoted, joined by single spaces. */
  public static String quoteAll(List<String> values) {
    return values.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
  }
}

package ai.dynamo.deploy.activities.slurm;

import java.util.List;
import java.util.stream.Collectors;

/** POSIX single-quote quoting for the commands the target runs on the login node. */
final class Shell {
  private Shell() {}

  /** One shell word that the remote shell turns back into exactly {@code value}. */
  static String quote(String value) {
    if (value.indexOf('\0') >= 0) throw new IllegalArgumentException("a value contains a NUL character");
    return "'" + value.replace("'", "'\\''") + "'";
  }

  static String quoteAll(List<String> values) {
    return values.stream().map(Shell::quote).collect(Collectors.joining(" "));
  }
}

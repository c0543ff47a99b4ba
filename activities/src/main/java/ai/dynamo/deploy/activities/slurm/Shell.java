package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.ir.ShellQuote;
import java.util.List;

/** POSIX single-quote quoting for the commands the target runs on the login node: the one rule, {@link ShellQuote}. */
final class Shell {
  private Shell() {}

  /** One shell word that the remote shell turns back into exactly {@code value}. */
  static String quote(String value) {
    return ShellQuote.quote(value);
  }

  static String quoteAll(List<String> values) {
    return ShellQuote.quoteAll(values);
  }
}

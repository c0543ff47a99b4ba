package ai.dynamo.deploy.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code dynamo} in-process through {@link Main#run} and captures what it prints. */
record CliRun(int exitCode, String out, String err) {
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new CliRun(code, out.toString(), err.toString());
  }
}

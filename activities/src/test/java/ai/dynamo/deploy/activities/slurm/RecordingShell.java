package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A shell that records every command it runs, and for a command given input (stdin) also what it answered: the
 * tests that prove a secret value never reaches a command line (or an answer) search {@link #seen()}.
 */
final class RecordingShell extends ForwardingShell {
  private final List<String> seen = new ArrayList<>();

  RecordingShell(RemoteShell delegate) {
    super(delegate);
  }

  @Override
  public Result run(String command, Retry retry) throws IOException {
    seen.add(command);
    return super.run(command, retry);
  }

  @Override
  public Result run(String command, byte[] stdin, Retry retry) throws IOException {
    seen.add(command);
    Result r = super.run(command, stdin, retry);
    seen.add(r.stdout() + r.stderr());
    return r;
  }

  /** The commands run so far, in order, each command given input followed by its stdout and stderr. */
  List<String> seen() {
    return seen;
  }
}

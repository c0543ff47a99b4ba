package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.temporal.TemporalConnection;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.file.Path;
import java.util.Map;

/**
 * What one run of a command sees of whoever started it: the environment, the working directory, whether its output
 * is an interactive terminal, and where its Temporal connections come from. In a {@code dynamo} process that is the
 * process itself; in the background client process ({@code dynamo daemon}) each request brings its caller's, so verb
 * code reads these here and never from {@code System.getenv()} or {@code System.console()}.
 *
 * @param env the caller's environment
 * @param workingDirectory the caller's working directory (relative paths on the command line are resolved against it)
 * @param interactive whether stdout/stderr are a terminal that understands cursor movement (see {@link ProgressView})
 * @param connections where connections to Temporal come from
 */
public record Invocation(Map<String, String> env, Path workingDirectory, boolean interactive, Connections connections) {

  /** Opens Temporal connections and gives them back when a command is done with them. */
  public interface Connections {
    /** A connected service for these settings, or a {@code UserError} naming the address and the cause. */
    WorkflowServiceStubs open(TemporalConnection connection);

    /** Gives back what {@link #open} returned; {@code broken} when a call found no service behind it. */
    void release(TemporalConnection connection, WorkflowServiceStubs stubs, boolean broken);
  }

  /** A connection per command, closed when it is done: what a command run once in its own process wants. */
  public static final Connections FRESH = new Connections() {
    @Override
    public WorkflowServiceStubs open(TemporalConnection connection) {
      return connection.connect();
    }

    @Override
    public void release(TemporalConnection connection, WorkflowServiceStubs stubs, boolean broken) {
      stubs.shutdown();
    }
  };

  /** This process's own environment, directory and terminal. */
  public static Invocation ofThisProcess() {
    return new Invocation(System.getenv(), Path.of("").toAbsolutePath(), ProgressView.interactiveTerminal(), FRESH);
  }
}

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
 * @param host the process the command runs in: the caller's own, or the daemon's
 */
public record Invocation(Map<String, String> env, Path workingDirectory, boolean interactive, Connections connections,
    Host host) {

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

  /** What a command may do to the process it runs in, and how it hears of its caller's Ctrl-C. */
  public interface Host {
    /**
     * Whether the command runs in its caller's own process. Only then may it embed a Temporal service for itself
     * (it lives and dies with that process); in the daemon it must not ({@link RunInCallersProcess}).
     */
    boolean callersOwnProcess();

    /**
     * Runs {@code detach} when the caller interrupts the command (Ctrl-C, SIGTERM), as the command's last output;
     * closing the returned handle takes it back once the command no longer needs it.
     */
    Registration onInterrupt(Runnable detach);
  }

  /** A {@link Host#onInterrupt} registration. */
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /** The caller's own process: Ctrl-C ends the JVM, whose shutdown hooks print the command's last words. */
  public static final Host OWN_PROCESS = new Host() {
    @Override
    public boolean callersOwnProcess() {
      return true;
    }

    @Override
    public Registration onInterrupt(Runnable detach) {
      Thread hook = new Thread(detach, "dynamo-detach");
      Runtime.getRuntime().addShutdownHook(hook);
      return () -> {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the JVM is already exiting: the hook runs
        }
      };
    }
  };

  /** This process's own environment, directory and terminal. */
  public static Invocation ofThisProcess() {
    return new Invocation(System.getenv(), Path.of("").toAbsolutePath(), ProgressView.interactiveTerminal(), FRESH,
        OWN_PROCESS);
  }
}

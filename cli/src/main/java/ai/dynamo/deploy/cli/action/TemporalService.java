package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.cli.temporal.TemporalConnection;
import ai.dynamo.deploy.worker.DeployRegistration;
import ai.dynamo.deploy.workflows.Durations;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Temporal service a command that needs a worker uses (deploy, diff): the configured one; else a
 * {@code dynamo server} on 127.0.0.1; else an embedded one with a worker, for this command only. Connecting and
 * starting are bounded by the connection's request timeout, with a spinner on a terminal. Close it when done.
 *
 * @param connection how it was reached
 * @param stubs the service stubs
 * @param client the workflow client
 * @param embedded the embedded service, or null
 */
public record TemporalService(TemporalConnection connection, WorkflowServiceStubs stubs, WorkflowClient client,
    LocalService embedded) implements AutoCloseable {
  /** How long a {@code dynamo server} on the local port may take to accept a connection. */
  private static final Duration LOCAL_ANSWER = Duration.ofMillis(500);

  /** Where an unconfigured client looks for a {@code dynamo server}; tests name another port than 7233. */
  public static int localPort() {
    return Integer.getInteger("dynamo.localTemporalPort", TemporalConnection.LOCAL_PORT);
  }

  /**
   * Whether {@code configured} leaves the service to be found on 127.0.0.1:{@code localPort} and none answers there:
   * then {@link #pick} embeds one.
   */
  public static boolean wouldEmbed(TemporalConnection configured, int localPort) {
    return !configured.addressConfigured()
        && !TemporalConnection.answers(TemporalConnection.LOCAL_HOST, localPort, LOCAL_ANSWER);
  }

  /**
   * The service for a command of {@code caller}: its terminal gets the spinner; in the daemon, where no service may
   * be embedded, a command that would need one is handed back ({@link RunInCallersProcess}).
   */
  public static TemporalService pick(TemporalConnection configured, int localPort, PrintWriter err, String what,
      Invocation caller) {
    TemporalConnection dial = configured;
    if (!configured.addressConfigured()) {
      if (!TemporalConnection.answers(TemporalConnection.LOCAL_HOST, localPort, LOCAL_ANSWER)) {
        if (!caller.host().callersOwnProcess()) throw handBack(localPort);
        err.println("No Temporal service configured and none on " + TemporalConnection.LOCAL_HOST + ":" + localPort
            + ": running an embedded one in this process for this " + what
            + " (run 'dynamo server' to keep deploys across CLI restarts).");
        err.flush();
        LocalService embedded = startEmbedded(configured.requestTimeout(), err, caller.interactive());
        return new TemporalService(embedded.connection(), embedded.stubs(), embedded.client(), embedded);
      }
      dial = configured.withAddress(TemporalConnection.LOCAL_HOST + ":" + localPort);
    }
    TemporalConnection reached = dial;
    WorkflowServiceStubs stubs = Spinner.around(err, caller.interactive(),
        "connecting to Temporal at " + reached.address(), reached::connect);
    return new TemporalService(reached, stubs, reached.client(stubs), null);
  }

  /** The command goes back to its caller's process, which embeds the service as a command run there does. */
  public static RunInCallersProcess handBack(int localPort) {
    return new RunInCallersProcess("no Temporal service configured and none on " + TemporalConnection.LOCAL_HOST
        + ":" + localPort + ": an embedded one runs in the command's own process, not in the daemon");
  }

  // Starting is local work (a gRPC server in this process and a worker), bounded like a request all the same.
  private static LocalService startEmbedded(Duration bound, PrintWriter err, boolean interactive) {
    ExecutorService starter = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "dynamo-embedded-start");
      t.setDaemon(true);
      return t;
    });
    Future<LocalService> starting = starter.submit(() -> LocalService.start(0, DeployRegistration.production()));
    try {
      return Spinner.around(err, interactive, "starting the embedded Temporal service", () -> {
        try {
          return starting.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new UserError(ExitCodes.UNREACHABLE, "error: interrupted while starting the embedded Temporal service", e);
        } catch (TimeoutException e) {
          starting.cancel(true);
          throw new UserError(ExitCodes.UNREACHABLE, "error: the embedded Temporal service did not start within "
              + Durations.human(bound) + " (a loaded machine? give --request-timeout more time, or run 'dynamo server')", e);
        } catch (ExecutionException e) {
          throw new UserError(ExitCodes.UNREACHABLE, "error: cannot start the embedded Temporal service: "
              + e.getCause().getMessage(), e.getCause());
        }
      });
    } finally {
      starter.shutdown();
    }
  }

  @Override
  public void close() {
    if (embedded != null) embedded.close();
    else stubs.shutdown();
  }
}

package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.cli.temporal.TemporalConnection;
import ai.dynamo.deploy.worker.DeployRegistration;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * The Temporal service a command that needs a worker uses (deploy, diff): the configured one; else a
 * {@code dynamo server} on 127.0.0.1; else an embedded one with a worker, for this command only. Close it when done.
 *
 * @param connection how it was reached
 * @param stubs the service stubs
 * @param client the workflow client
 * @param embedded the embedded service, or null
 */
public record TemporalService(TemporalConnection connection, WorkflowServiceStubs stubs, WorkflowClient client,
    LocalService embedded) implements AutoCloseable {

  public static TemporalService pick(TemporalConnection configured, int localPort, PrintWriter err, String what) {
    if (!configured.addressConfigured()) {
      if (TemporalConnection.answers(TemporalConnection.LOCAL_HOST, localPort, Duration.ofMillis(500))) {
        TemporalConnection local = configured.withAddress(TemporalConnection.LOCAL_HOST + ":" + localPort);
        WorkflowServiceStubs stubs = local.connect();
        return new TemporalService(local, stubs, local.client(stubs), null);
      }
      err.println("No Temporal service configured and none on " + TemporalConnection.LOCAL_HOST + ":" + localPort
          + ": running an embedded one in this process for this " + what
          + " (run 'dynamo server' to keep deploys across CLI restarts).");
      err.flush();
      try {
        LocalService embedded = LocalService.start(0, DeployRegistration.production());
        return new TemporalService(embedded.connection(), embedded.stubs(), embedded.client(), embedded);
      } catch (IOException e) {
        throw new UserError(ExitCodes.UNREACHABLE, "error: cannot start the embedded Temporal service: " + e.getMessage(), e);
      }
    }
    WorkflowServiceStubs stubs = configured.connect();
    return new TemporalService(configured, stubs, configured.client(stubs), null);
  }

  @Override
  public void close() {
    if (embedded != null) embedded.close();
    else stubs.shutdown();
  }
}

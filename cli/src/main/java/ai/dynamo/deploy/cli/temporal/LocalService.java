package ai.dynamo.deploy.cli.temporal;

import ai.dynamo.deploy.client.SearchAttributeRegistration;
import ai.dynamo.deploy.worker.DeployRegistration;
import ai.dynamo.deploy.worker.DeployWorker;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.time.Duration;

/**
 * A development Temporal service and a dynamo worker in this process: what {@code dynamo server} runs, and the
 * embedded default of a command that finds no Temporal service. The deploy search attributes are registered.
 */
public final class LocalService implements AutoCloseable {
  private final LocalTemporal temporal;
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final DeployWorker worker;

  private LocalService(LocalTemporal temporal, WorkflowServiceStubs stubs, WorkflowClient client, DeployWorker worker) {
    this.temporal = temporal;
    this.stubs = stubs;
    this.client = client;
    this.worker = worker;
  }

  /**
   * @param port port on 127.0.0.1, 0 for any free one
   * @throws IOException when the port is taken
   */
  public static LocalService start(int port, DeployRegistration registration) throws IOException {
    return start(port, registration, false);
  }

  /**
   * @param port port on 127.0.0.1, 0 for any free one
   * @param warmUpFirst warm the worker up before it polls ({@link DeployWorker#start(WorkflowClient,
   *     DeployRegistration, boolean)}): for {@code dynamo server}, which runs for long
   * @throws IOException when the port is taken
   */
  public static LocalService start(int port, DeployRegistration registration, boolean warmUpFirst)
      throws IOException {
    LocalTemporal temporal = LocalTemporal.start(port);
    try {
      TemporalConnection connection = temporal.connection();
      WorkflowServiceStubs stubs = connection.connect();
      SearchAttributeRegistration.register(stubs, connection.namespace());
      WorkflowClient client = connection.client(stubs);
      DeployWorker worker = DeployWorker.start(client, registration, warmUpFirst);
      return new LocalService(temporal, stubs, client, worker);
    } catch (RuntimeException e) {
      temporal.close();
      throw e;
    }
  }

  public int port() {
    return temporal.port();
  }

  public TemporalConnection connection() {
    return temporal.connection();
  }

  public WorkflowServiceStubs stubs() {
    return stubs;
  }

  public WorkflowClient client() {
    return client;
  }

  public DeployWorker worker() {
    return worker;
  }

  /** Stops the worker (in-flight activities get {@code grace}), then the service. */
  public void shutdown(Duration grace) {
    worker.shutdown(grace);
    stubs.shutdown();
    temporal.close();
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(5));
  }
}

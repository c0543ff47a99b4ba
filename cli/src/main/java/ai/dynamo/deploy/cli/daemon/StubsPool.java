package ai.dynamo.deploy.cli.daemon;

import ai.dynamo.deploy.cli.action.Invocation;
import ai.dynamo.deploy.cli.temporal.TemporalConnection;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The daemon's Temporal connections, one per set of connection settings (address, namespace, API key, TLS,
 * metadata, request timeout), opened by the first request that needs it and kept for the next: opening one is most
 * of what a status costs in a fresh process. A connection on which a call found no service is closed and opened
 * afresh by the next request, which then reports the same error a fresh process would. The settings include what
 * the TLS files hold, so a rotated certificate gets a new connection; the old one is left unused until the daemon
 * exits (closing it could break a request still using it).
 */
final class StubsPool implements Invocation.Connections, AutoCloseable {
  private final Map<Object, WorkflowServiceStubs> open = new ConcurrentHashMap<>();

  @Override
  public WorkflowServiceStubs open(TemporalConnection connection) {
    // computeIfAbsent: two requests with the same settings share one connection, opened once.
    return open.computeIfAbsent(connection.sameSettings(), k -> connection.connect());
  }

  @Override
  public void release(TemporalConnection connection, WorkflowServiceStubs stubs, boolean broken) {
    if (broken && open.remove(connection.sameSettings(), stubs)) stubs.shutdown();
  }

  @Override
  public void close() {
    open.values().forEach(WorkflowServiceStubs::shutdown);
    open.clear();
  }
}

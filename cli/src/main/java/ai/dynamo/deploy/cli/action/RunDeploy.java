package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.cli.temporal.TemporalConnection;
import ai.dynamo.deploy.client.DeployStarter;
import ai.dynamo.deploy.client.SearchAttributeRegistration;
import ai.dynamo.deploy.client.DeployWatcher;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.worker.DeployRegistration;
import ai.dynamo.deploy.workflows.DeployOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * {@code dynamo deploy} in Temporal mode: picks the Temporal service (configured; else a {@code dynamo server} on
 * 127.0.0.1:7233; else an embedded one for this command), starts or attaches to the deploy, and with
 * {@code wait} follows it to its end.
 */
public final class RunDeploy {
  private final TemporalConnection configured;
  private final PrintWriter out;
  private final PrintWriter err;
  private Duration pollInterval = DeployWatcher.POLL_INTERVAL;
  private int localPort = TemporalConnection.LOCAL_PORT;

  public RunDeploy(TemporalConnection configured, PrintWriter out, PrintWriter err) {
    this.configured = configured;
    this.out = out;
    this.err = err;
  }

  /** Where an unconfigured client looks for a running {@code dynamo server} (tests use a free port). */
  public RunDeploy localPort(int port) {
    this.localPort = port;
    return this;
  }

  public RunDeploy pollInterval(Duration interval) {
    this.pollInterval = interval;
    return this;
  }

  /** Runs the deploy; returns the exit code. */
  public int run(Graph graph, TargetChoice target, DeployOptions options, boolean wait) throws InterruptedException {
    LocalService embedded = null;
    TemporalConnection connection = configured;
    if (!configured.addressConfigured()) {
      if (TemporalConnection.answers(TemporalConnection.LOCAL_HOST, localPort, Duration.ofMillis(500))) {
        connection = configured.withAddress(TemporalConnection.LOCAL_HOST + ":" + localPort);
      } else {
        embedded = startEmbedded();
        connection = embedded.connection();
        wait = true;
      }
    }
    WorkflowServiceStubs stubs = embedded != null ? embedded.stubs() : connection.connect();
    try {
      WorkflowClient client = embedded != null ? embedded.client() : connection.client(stubs);
      DeployStarter.Started started = start(client, stubs, connection, graph, target, options);
      out.println((started.attached() ? "Attached to running deploy " : "Started deploy ") + started.workflowId()
          + " (run " + started.runId() + ")");
      out.flush();
      if (!wait) {
        out.println("Follow it: dynamo deploy status " + started.workflowId() + " --wait");
        return ExitCodes.OK;
      }
      return follow(client, started, embedded != null);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) throw connection.unreachable(e);
      throw e;
    } finally {
      if (embedded != null) embedded.close();
      else stubs.shutdown();
    }
  }

  private LocalService startEmbedded() {
    err.println("No Temporal service configured and none on " + TemporalConnection.LOCAL_HOST + ":" + localPort
        + ": running an embedded one in this process for this deploy (run 'dynamo server' to keep deploys across CLI restarts).");
    err.flush();
    try {
      return LocalService.start(0, DeployRegistration.production());
    } catch (IOException e) {
      throw new UserError(ExitCodes.UNREACHABLE, "error: cannot start the embedded Temporal service: " + e.getMessage(), e);
    }
  }

  private DeployStarter.Started start(WorkflowClient client, WorkflowServiceStubs stubs, TemporalConnection connection,
      Graph graph, TargetChoice target, DeployOptions options) {
    StartDeploy starter = new StartDeploy(client);
    Optional<Set<String>> known = SearchAttributeRegistration.registered(stubs, connection.namespace());
    if (known.isPresent()) return starter.start(graph, target, options, known.get());
    // The server cannot list its search attributes (Temporal's Java test server, e.g. a 'dynamo server'): make
    // sure they exist (adding is idempotent) and set them; without them when the server refuses that too. Never
    // start with attributes that may be unregistered: the test server then loses the run.
    boolean registered;
    try {
      SearchAttributeRegistration.register(stubs, connection.namespace());
      registered = true;
    } catch (StatusRuntimeException e) {
      registered = false;
    }
    return starter.start(graph, target, options, registered);
  }

  private int follow(WorkflowClient client, DeployStarter.Started started, boolean embedded) throws InterruptedException {
    Thread detach = new Thread(() -> {
      out.println();
      if (embedded) {
        out.println("Interrupted: the embedded Temporal service stops with this process, and the deploy with it."
            + " Use 'dynamo server' (or a Temporal service) for deploys that outlive the CLI.");
      } else {
        out.println("Detached; the deploy keeps running. Re-attach: dynamo deploy status " + started.workflowId()
            + " --wait");
      }
      out.flush();
    }, "dynamo-detach");
    Runtime.getRuntime().addShutdownHook(detach);
    DeployWatcher.Ending ending;
    try {
      ending = new DeployWatcher(client, pollInterval)
          .watch(started.workflowId(), started.runId(), ProgressView.forOutput(out, ProgressView.interactiveTerminal()));
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(detach);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already exiting: the hook prints the detach message
      }
    }
    int code = ExitCodes.of(ending);
    (code == ExitCodes.OK ? out : err).println(ending.summary());
    return code;
  }
}

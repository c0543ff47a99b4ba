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
    TemporalService service = TemporalService.pick(configured, localPort, err, "deploy");
    LocalService embedded = service.embedded();
    TemporalConnection connection = service.connection();
    if (embedded != null) wait = true;
    WorkflowServiceStubs stubs = service.stubs();
    try {
      WorkflowClient client = service.client();
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
      service.close();
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

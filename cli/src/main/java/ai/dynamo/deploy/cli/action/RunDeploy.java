package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.cli.temporal.TemporalConnection;
import ai.dynamo.deploy.client.DeployStarter;
import ai.dynamo.deploy.client.SearchAttributeRegistration;
import ai.dynamo.deploy.client.DeployWatcher;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.DeployOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import ai.dynamo.deploy.client.DeployStatus;
import java.util.function.Function;
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
  private final PrintWriter stdout;
  private PrintWriter out;
  private final PrintWriter err;
  private Duration pollInterval = DeployWatcher.POLL_INTERVAL;
  private int localPort = TemporalService.localPort();
  private Function<Object, String> document;
  private Invocation caller;

  public RunDeploy(TemporalConnection configured, PrintWriter out, PrintWriter err) {
    this.configured = configured;
    this.stdout = out;
    this.out = out;
    this.err = err;
  }

  /**
   * {@code -o json|yaml}: stdout gets only the deploy's status document at the end (as {@code dynamo deploy status}
   * prints it), written by {@code writer}; the progress goes to stderr. Null: the human output on stdout.
   */
  public RunDeploy document(Function<Object, String> writer) {
    this.document = writer;
    this.out = writer == null ? stdout : err;
    return this;
  }

  /** Who runs the deploy (its terminal, and whether it runs in its own process); default: this process. */
  public RunDeploy caller(Invocation invocation) {
    this.caller = invocation;
    return this;
  }

  private Invocation caller() {
    if (caller == null) caller = Invocation.ofThisProcess();
    return caller;
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

  /** The graph and target to deploy, once the Temporal service is known. */
  public record Placed(Graph graph, TargetChoice target) {}

  /** Runs the deploy; returns the exit code. */
  public int run(Graph graph, TargetChoice target, DeployOptions options, boolean wait) {
    return run(client -> new Placed(graph, target), options, wait);
  }

  /**
   * Runs the deploy of what {@code place} decides with the client (null: a service embedded for this command, which
   * knows no deploy); returns the exit code.
   */
  public int run(Function<WorkflowClient, Placed> place, DeployOptions options, boolean wait) {
    TemporalService service = TemporalService.pick(configured, localPort, err, "deploy", caller());
    LocalService embedded = service.embedded();
    TemporalConnection connection = service.connection();
    if (embedded != null) wait = true;
    WorkflowServiceStubs stubs = service.stubs();
    try {
      WorkflowClient client = service.client();
      Placed placed = place.apply(embedded != null ? null : client);
      DeployStarter.Started started = start(client, stubs, connection, placed.graph(), placed.target(), options);
      out.println((started.attached() ? "Attached to running deploy " : "Started deploy ") + started.workflowId()
          + " (run " + started.runId() + ")");
      out.flush();
      int code = ExitCodes.OK;
      if (!wait) out.println("Follow it: dynamo deploy status " + started.workflowId() + " --wait");
      else code = follow(client, started, embedded != null);
      if (document != null) stdout.println(document.apply(new DeployStatus(client).status(started.workflowId())));
      return code;
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) throw connection.unreachable(e);
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

  private int follow(WorkflowClient client, DeployStarter.Started started, boolean embedded) {
    return FollowRun.follow(client, started.workflowId(), started.runId(), out, err, pollInterval, embedded, caller());
  }
}

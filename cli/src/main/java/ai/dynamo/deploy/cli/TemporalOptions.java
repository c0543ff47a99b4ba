package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.Invocation;
import ai.dynamo.deploy.cli.action.RunInCallersProcess;
import ai.dynamo.deploy.cli.action.TemporalService;
import ai.dynamo.deploy.cli.action.Spinner;
import ai.dynamo.deploy.cli.temporal.TemporalConnection;
import ai.dynamo.deploy.workflows.Durations;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Connection flags shared by every command that talks to Temporal. They override Temporal's own configuration
 * (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, temporal.toml profiles). The namespace
 * flag is {@code --temporal-namespace} because {@code -n/--namespace} is the Kubernetes namespace.
 */
public final class TemporalOptions implements InvocationFactory.ReadsInvocation {
  @Spec(Spec.Target.MIXEE) CommandSpec command;

  /** The caller's environment, terminal and connections (this process's unless the command line gives another). */
  private Invocation invocation;

  @Option(names = "--address", paramLabel = "HOST:PORT",
      description = "Temporal frontend address (default: TEMPORAL_ADDRESS, the temporal.toml profile, else 127.0.0.1:7233).")
  String address;

  @Option(names = "--temporal-namespace", paramLabel = "NS",
      description = "Temporal namespace (default: TEMPORAL_NAMESPACE, the profile, else 'default').")
  String namespace;

  @Option(names = "--temporal-profile", paramLabel = "NAME",
      description = "Profile in temporal.toml (default: TEMPORAL_PROFILE, else 'default'; file: TEMPORAL_CONFIG_FILE, else ~/.config/temporalio/temporal.toml).")
  String profile;

  @Option(names = "--request-timeout", paramLabel = "DURATION",
      description = "How long one call to Temporal, Kubernetes or SSH may take, e.g. 10s, 2m (default: 30s; connecting: 10s).")
  String requestTimeout;

  public TemporalConnection resolve() {
    return TemporalConnection.resolve(address, namespace, profile, invocation().env(), invocation().workingDirectory())
        .withRequestTimeout(requestTimeout());
  }

  @Override
  public void use(Invocation invocation) {
    this.invocation = invocation;
  }

  /**
   * The caller's environment: this process's, or in the daemon the one of the command it runs for (what else a verb
   * reads from the environment, e.g. status's live check its {@code KUBECONFIG}).
   */
  public java.util.Map<String, String> callerEnvironment() {
    return invocation().env();
  }

  /** Whether the caller's output is a terminal that shows a spinner (in the daemon: the caller's, not its own). */
  public boolean callerInteractive() {
    return invocation().interactive();
  }

  /** Who runs the command: environment, directory, terminal, and the process it runs in. */
  public Invocation caller() {
    return invocation();
  }

  private Invocation invocation() {
    if (invocation == null) invocation = Invocation.ofThisProcess();
    return invocation;
  }

  /**
   * In the daemon, a command that would embed a Temporal service goes back to its caller's process now, before it
   * has written anything ({@link RunInCallersProcess}). Settings that do not resolve are left for the command to
   * report where it always does.
   */
  public void handBackIfEmbedding(int localPort) {
    if (invocation().host().callersOwnProcess()) return;
    TemporalConnection connection;
    try {
      connection = resolve();
    } catch (RuntimeException unresolved) {
      return;
    }
    if (TemporalService.wouldEmbed(connection, localPort)) throw TemporalService.handBack(localPort);
  }

  /** {@code --request-timeout}, else 30 s. */
  public Duration requestTimeout() {
    if (requestTimeout == null) return TemporalConnection.REQUEST_TIMEOUT;
    try {
      Duration d = Durations.parse(requestTimeout);
      if (d.isZero() || d.isNegative()) throw new IllegalArgumentException("must be longer than zero");
      return d;
    } catch (IllegalArgumentException e) {
      throw new UserError(ExitCodes.INVALID, "error: --request-timeout: " + e.getMessage());
    }
  }

  /** The command's stderr (a mixin's spec may not know its command line: then the process's). */
  java.io.PrintWriter err() {
    for (CommandSpec s = command; s != null; s = s.parent()) {
      if (s.commandLine() != null) return s.commandLine().getErr();
    }
    return new java.io.PrintWriter(System.err, true);
  }

  /**
   * Connects (or fails with exit code 4 naming the address), runs {@code body} with a client, gives the connection
   * back (closed in a {@code dynamo} process; kept open for the next request in the daemon).
   */
  public <T> T withClient(Function<WorkflowClient, T> body) {
    TemporalConnection connection = resolve();
    Invocation invocation = invocation();
    WorkflowServiceStubs stubs = Spinner.around(err(), invocation.interactive(),
        "connecting to Temporal at " + connection.address(), () -> invocation.connections().open(connection));
    boolean broken = false;
    try {
      return body.apply(connection.client(stubs));
    } catch (RuntimeException e) {
      // a call that found no service, or no answer within its deadline (the SDK wraps it, e.g. in describe())
      io.grpc.StatusRuntimeException lost = TemporalConnection.serviceLost(e);
      if (lost != null) {
        broken = true;
        throw connection.unreachable(lost);
      }
      throw e;
    } finally {
      invocation.connections().release(connection, stubs, broken);
    }
  }
}

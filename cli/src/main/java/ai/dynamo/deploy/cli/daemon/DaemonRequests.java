package ai.dynamo.deploy.cli.daemon;

import ai.dynamo.deploy.cli.Main;
import ai.dynamo.deploy.activities.slurm.SshOptions;
import ai.dynamo.deploy.cli.action.Invocation;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a request's command line as {@code dynamo} would in the caller's own process: with the caller's
 * environment, terminal and working directory, and the daemon's kept Temporal connections.
 */
public final class DaemonRequests implements DaemonServer.Runner, AutoCloseable {
  private final StubsPool connections = new StubsPool();
  /** The ssh-agent this daemon's SSH logins use: sshj reads the process's own {@code SSH_AUTH_SOCK}. */
  private final String agent;

  public DaemonRequests() {
    this(System.getenv(SshOptions.AGENT_ENV));
  }

  /** @param agent the daemon's own {@code SSH_AUTH_SOCK} (null: none) */
  DaemonRequests(String agent) {
    this.agent = agent == null || agent.isBlank() ? null : agent;
  }

  /**
   * A caller with an ssh-agent of its own that is not the daemon's (a new login, a re-attached terminal, agent
   * forwarding): the SSH logins of status's live check, history and diff on Slurm would authenticate with the
   * daemon's agent, which may be gone, instead of the caller's. The daemon gives way; the next one starts from the
   * caller's environment, with its agent.
   */
  @Override
  public String givesWayTo(Wire.Request request) {
    String callers = request.env().get(SshOptions.AGENT_ENV);
    if (callers == null || callers.isBlank() || callers.equals(agent)) return null;
    return "a client with another ssh-agent (" + SshOptions.AGENT_ENV + ") connected";
  }

  @Override
  public int run(Wire.Request request, PrintWriter out, PrintWriter err, Invocation.Host host) {
    // A command line that is not one of the daemon's (an older client, a hand-made request) gets a usage error.
    if (!DaemonRoute.routes(request.args().toArray(String[]::new), request.env())) {
      err.println("error: the dynamo daemon runs only " + DaemonRoute.DESCRIPTION);
      return 2;
    }
    Path cwd = Path.of(request.cwd());
    Invocation invocation =
        new Invocation(callerPaths(request.env(), cwd), cwd, request.interactive(), connections, host);
    return Main.run(request.args().toArray(String[]::new), out, err, invocation);
  }

  /**
   * Loads what the daemon's verbs use (their command-line models, the Temporal client) and rehearses a deploy's start
   * ({@link DeployStartRehearsal}) before the first request needs them, so that the first call after the daemon
   * started is as quick as the next ones, bar connecting. What goes wrong is logged to {@code log}; only speed
   * depends on it.
   */
  void warmUp(PrintWriter log) {
    PrintWriter sink = new PrintWriter(java.io.Writer.nullWriter());
    Invocation quiet = new Invocation(Map.of(), Path.of("/"), false, connections, Invocation.OWN_PROCESS);
    for (String verb : DaemonRoute.DEPLOY_VERBS) Main.run(new String[] {"deploy", verb, "--help"}, sink, sink, quiet);
    Main.run(new String[] {"deploy", "--help"}, sink, sink, quiet); // a deploy's start
    // Stubs and a client for an address nothing is asked of: loads and initialises the SDK, gRPC and netty, which
    // is most of a first request's cost. Nothing is sent (the stubs connect on their first call).
    try {
      io.temporal.serviceclient.WorkflowServiceStubs stubs = io.temporal.serviceclient.WorkflowServiceStubs
          .newServiceStubs(io.temporal.serviceclient.WorkflowServiceStubsOptions.newBuilder()
              .setTarget("127.0.0.1:1").build());
      io.temporal.client.WorkflowClient.newInstance(stubs);
      stubs.shutdownNow();
    } catch (RuntimeException e) {
      // only the first request's speed depends on it
    }
    try {
      DeployStartRehearsal.Outcome rehearsal = DeployStartRehearsal.run();
      if (rehearsal.start() != 0) log.println("dynamo daemon: the warm-up's deploy start ended " + rehearsal.start());
    } catch (java.io.IOException | RuntimeException e) {
      log.println("dynamo daemon: the warm-up's deploy start failed: " + e);
    }
    log.flush();
  }

  static Map<String, String> callerPaths(Map<String, String> env, Path cwd) {
    Map<String, String> resolved = new HashMap<>(env);
    for (String name : DaemonRoute.PATH_VARIABLES) {
      String value = env.get(name);
      if (value != null && !value.isBlank() && !Path.of(value).isAbsolute()) {
        resolved.put(name, cwd.resolve(value).toString());
      }
    }
    // KUBECONFIG is a list: a deploy's start without -n reads its context's namespace, status's live check the rest.
    String kubeconfig = env.get("KUBECONFIG");
    if (kubeconfig != null && !kubeconfig.isBlank()) {
      List<String> files = new ArrayList<>();
      for (String part : kubeconfig.split(File.pathSeparator, -1)) {
        files.add(part.isBlank() || Path.of(part).isAbsolute() ? part : cwd.resolve(part).toString());
      }
      resolved.put("KUBECONFIG", String.join(File.pathSeparator, files));
    }
    return Map.copyOf(resolved);
  }

  @Override
  public void close() {
    connections.close();
  }
}

package ai.dynamo.deploy.cli.daemon;

import ai.dynamo.deploy.activities.WorkerWarmUp;
import ai.dynamo.deploy.cli.Main;
import ai.dynamo.deploy.cli.action.Invocation;
import ai.dynamo.deploy.cli.temporal.LocalTemporal;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The daemon's rehearsal of a deploy's start, before it listens: {@code dynamo deploy -f GRAPH} of the worker
 * warm-up's sample graph for Slurm, against a Temporal service of its own on 127.0.0.1 (the Java test server on a
 * free port, no worker: the deploy is started, never run; so no status or follow, which ask a worker). A daemon's
 * first deploy otherwise paid about 0.9 s more than its next ones for the code on that path (graph loading and checks,
 * target flags, the resolver, the search attributes, the request's digest, the start and its answers). Nothing
 * reaches the user's Temporal service or any cluster: the SSH host is never contacted (a deploy's start only names
 * it) and no temporal.toml is read. Output goes nowhere; the service is gone with its state afterwards.
 */
final class DeployStartRehearsal {
  /** The worker warm-up's sample graph (a front end and a 2-node group), named {@code warm-up}. */
  static final String GRAPH = WorkerWarmUp.SAMPLE;

  private DeployStartRehearsal() {}

  /** The start's exit code (0 when it went through) and what it printed. */
  record Outcome(int start, String output) {}

  /** Runs the rehearsal in a temporary graph file of its own, removed afterwards. */
  static Outcome run() throws IOException {
    Path graph = Files.createTempFile("dynamo-daemon-warm-up", ".yaml");
    try {
      Files.writeString(graph, GRAPH);
      StringWriter printed = new StringWriter();
      PrintWriter out = new PrintWriter(printed);
      // Its own connections (closed by the command), and no temporal.toml (a file that does not exist): the address
      // is the rehearsal's alone.
      Invocation quiet = new Invocation(Map.of("TEMPORAL_CONFIG_FILE", graph + ".absent.toml"), graph.getParent(),
          false, Invocation.FRESH, Invocation.OWN_PROCESS);
      try (LocalTemporal temporal = LocalTemporal.start(0)) {
        String[] start = {"deploy", "--target", "slurm", "-f", graph.toString(), "--ssh-host",
            "warm-up@warm-up.invalid", "--ssh-config", "/dev/null", "--partition", "warm-up", "--time", "00:05:00",
            "--address", "127.0.0.1:" + temporal.port(), "--request-timeout", "10s"};
        int started = Main.run(start, out, out, quiet);
        out.flush();
        return new Outcome(started, printed.toString());
      }
    } finally {
      Files.deleteIfExists(graph);
    }
  }
}

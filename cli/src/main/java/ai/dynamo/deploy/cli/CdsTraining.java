package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.worker.DeployRegistration;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;

/**
 * Build time only: runs the verbs once in one JVM, so that {@link ClassDataArchive} (cli/pom.xml) archives what they
 * load, which the {@code dynamo} launcher then maps instead of loading and verifying those classes on every run. The
 * verbs that talk to Temporal run against an in-process Temporal test server and worker whose only target is
 * {@link TrainingTarget}: a whole deploy (refused at preflight, as a deploy with no cluster is), then
 * {@code deploy status} and {@code list} of that deploy, so that the gRPC, protobuf and SDK classes of a real status
 * call are in the archive too. Output is discarded; a verb that fails only leaves its classes out of the archive.
 */
final class CdsTraining {
  private CdsTraining() {}

  /**
   * @param args {@code short} (the archive of {@code --help} and {@code validate}, which stays small: a larger
   *     archive costs every start-up more to map) or {@code all} (the verbs that talk to Temporal too), then the
   *     demo graph file
   */
  public static void main(String[] args) {
    String graph = args[1];
    run(List.of(new String[] {"--help"}, new String[] {"validate", "-f", graph},
        new String[] {"validate", "-f", graph, "--target", "k8s", "-o", "json"},
        new String[] {"validate", "-f", graph, "--target", "slurm", "-o", "yaml"}));
    if (args[0].equals("short")) return;
    LogSetup.configure(new String[] {"deploy"}, System.getenv());
    // Every `deploy` starts in the thin client, which decides that a deploy runs here (daemon.ThinClient).
    ai.dynamo.deploy.cli.daemon.DaemonRoute.routes(new String[] {"deploy", "-f", graph}, java.util.Map.of());
    run(List.of(new String[] {"deploy", "--help"}, new String[] {"deploy", "status", "--help"}));
    try (LocalService service = LocalService.start(0, DeployRegistration.of(new TrainingTarget()))) {
      String address = "127.0.0.1:" + service.port();
      run(List.of(
          new String[] {"deploy", "--target", "k8s", "-f", graph, "--address", address, "--wait"},
          new String[] {"deploy", "status", "demo", "--target", "k8s", "--address", address},
          new String[] {"deploy", "status", "demo", "--target", "k8s", "--address", address, "-o", "json"},
          new String[] {"deploy", "list", "--address", address}));
    } catch (java.io.IOException | RuntimeException e) {
      System.err.println("cds training: no local Temporal service (" + e + "); deploy status is not in the archive");
    }
  }

  private static void run(List<String[]> lines) {
    PrintWriter sink = new PrintWriter(Writer.nullWriter());
    for (String[] line : lines) {
      try {
        // As Main.runInThisProcess does first (for the short verbs it sets nothing up; `deploy` is set up above).
        if (!LogSetup.runsLibraries(line)) LogSetup.configure(line, System.getenv());
        Main.run(line, sink, sink);
      } catch (RuntimeException e) {
        System.err.println("cds training: dynamo " + String.join(" ", line) + ": " + e);
      }
    }
  }
}

package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.cli.temporal.TemporalConnection;
import ai.dynamo.deploy.worker.DeployRegistration;
import ai.dynamo.deploy.worker.DeployWorker;
import ai.dynamo.deploy.workflows.DeployIds;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dynamo server}: a local development Temporal service (Temporal's Java test server, in memory) on
 * 127.0.0.1 plus a worker, until Ctrl-C or SIGTERM. Other dynamo commands on this machine use it by default, so a
 * deploy outlives the CLI that started it (but not this process).
 */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Run a local development Temporal service on 127.0.0.1 and a worker, until Ctrl-C/SIGTERM. "
        + "State is in memory: it is lost when the server stops.",
    footerHeading = "%nExample:%n", footer = "  dynamo server --port 7300")
final class ServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--port", defaultValue = "7233", description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  int port;

  @Mixin WarmUpOption warmUp;

  @Override
  public Integer call() throws InterruptedException {
    DeployRegistration registration = DeployRegistration.production();
    LocalService service;
    try {
      service = LocalService.start(port, registration, warmUp.warmUp);
    } catch (IOException e) {
      throw new UserError(ExitCodes.UNREACHABLE, "error: cannot listen on " + TemporalConnection.LOCAL_HOST + ":" + port
          + " (" + e.getMessage() + "); is a dynamo server or Temporal already running there?", e);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("Temporal development service on " + TemporalConnection.LOCAL_HOST + ":" + service.port()
        + " (namespace " + TemporalConnection.DEFAULT_NAMESPACE + ", in memory) with a worker on task queue "
        + DeployIds.TASK_QUEUE + " (targets: " + String.join(", ", registration.kinds())
        + WarmUpOption.describe(service.worker()) + "). Stop with Ctrl-C.");
    java.nio.file.Path logs = LogSetup.currentFile();
    if (logs != null) out.println("Library logs (Temporal SDK, Kubernetes, SSH; --debug prints them here): " + logs);
    out.flush();
    WorkerCommand.awaitShutdown(() -> service.shutdown(DeployWorker.DEFAULT_GRACE));
    return ExitCodes.OK;
  }
}

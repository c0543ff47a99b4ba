package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.workflows.Durations;
import ai.dynamo.deploy.cli.temporal.TemporalConnection;
import ai.dynamo.deploy.worker.DeployRegistration;
import ai.dynamo.deploy.worker.DeployWorker;
import ai.dynamo.deploy.workflows.DeployIds;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dynamo worker}: runs deploys from the task queue until SIGTERM or Ctrl-C. Run as many as you like. */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "Run a worker on task queue " + DeployIds.TASK_QUEUE
        + " until SIGTERM/Ctrl-C (then: stop polling, let in-flight work finish within --grace).",
    footerHeading = "%nExample:%n", footer = "  dynamo worker --address temporal.example:7233 --grace 1m")
final class WorkerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "30s",
      description = "How long in-flight activities may finish after SIGTERM (default: ${DEFAULT-VALUE}).")
  String grace;

  @Mixin TemporalOptions temporal;

  @Mixin WarmUpOption warmUp;

  @Override
  public Integer call() throws InterruptedException {
    Duration graceperiod = Durations.parse(grace);
    TemporalConnection connection = temporal.resolve();
    WorkflowServiceStubs stubs = connection.connect();
    DeployRegistration registration = DeployRegistration.production();
    DeployWorker worker = DeployWorker.start(connection.client(stubs), registration, warmUp.warmUp);
    PrintWriter out = spec.commandLine().getOut();
    out.println("dynamo worker polling task queue " + DeployIds.TASK_QUEUE + " at " + connection.address()
        + " (namespace " + connection.namespace() + "; targets: " + String.join(", ", registration.kinds())
        + WarmUpOption.describe(worker) + "). Stop with Ctrl-C or SIGTERM.");
    out.println("Kubernetes: " + registration.kubernetesConfiguration());
    out.flush();
    awaitShutdown(() -> {
      worker.shutdown(graceperiod);
      stubs.shutdown();
    });
    return ExitCodes.OK;
  }

  /** Blocks until the JVM is asked to exit (SIGTERM, SIGINT), running {@code onShutdown} in the shutdown hook. */
  static void awaitShutdown(Runnable onShutdown) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      onShutdown.run();
      stopped.countDown();
    }, "dynamo-shutdown"));
    stopped.await();
  }
}

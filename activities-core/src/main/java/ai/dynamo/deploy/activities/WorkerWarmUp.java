package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphLoader;
import ai.dynamo.deploy.ir.LoadResult;
import ai.dynamo.deploy.workflows.DeployWorkflows;
import io.temporal.api.history.v1.History;
import io.temporal.client.WorkflowClient;
import com.google.protobuf.util.JsonFormat;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a long-running worker does once before it polls, so that its first deploy is as quick as the next ones
 * (docs/workflow.md "Worker warm-up"): it replays a recorded deploy through the workflow code (class loading and
 * compiling of the workflow, the SDK's replay machinery and the data converter: most of a fresh JVM's first workflow
 * task), loads and validates a sample graph, rehearses a whole deploy of it live on a private service in this process
 * ({@link WorkerRehearsal}: the paths only a live run takes), and lets each target load its own stack
 * ({@link DeployTarget#warmUp}). No deploy reaches the worker's service and no cluster is contacted: the replay runs
 * on a worker that never polls. Measured on the 20-component Slurm graph, the replay took the first deploy's time to
 * its first {@code sbatch} from 1.74 s to 1.24 s (medians; BENCHMARKS.md "worker warm-up"); the rehearsal is measured
 * in BENCHMARKS.md "rehearsal".
 */
public final class WorkerWarmUp {
  private static final Logger log = LoggerFactory.getLogger(WorkerWarmUp.class);

  /** A recorded deploy (held starts, two waves, a multi-node group) that the current workflow code replays. */
  public static final String HISTORY = "warm-up-history.json";

  /**
   * A graph for the targets' rendering: a front end and a 2-node group, valid for every target (also the CLI daemon's
   * rehearsal of a deploy's start).
   */
  public static final String SAMPLE = """
      version: 1
      name: warm-up
      components:
        - name: frontend
          image: example.invalid/frontend:1
          run_config: {input: http, output: dyn}
          parameters: {port: 8000}
          resources: {cpu: "1", memory: 1Gi}
          readiness: {http: {port: 8000, path: /health}}
        - name: group
          image: example.invalid/engine:1
          run_config: {input: "dyn://warm-up.engine.generate", output: echo, num_nodes: 2}
          resources: {cpu: "1", memory: 1Gi, gpu: 1}
          environment: {LOG_LEVEL: INFO}
      """;

  /** How the warm-up went: its time and what failed (nothing, normally; a failure only costs speed). */
  public record Report(
      Duration took, boolean replayed, boolean rehearsed, List<String> warmedTargets, List<String> failures) {}

  private WorkerWarmUp() {}

  /**
   * How long the replay, and then the rehearsal, may each take: the replay asks the Temporal service for its
   * capabilities, and a service that stops answering must not keep the worker from polling (it then says so and goes
   * on).
   */
  static final Duration BOUND = Duration.ofSeconds(30);

  /** Warms up the workflow code (with {@code client}'s data converter) and every target of {@code targets}. */
  public static Report run(WorkflowClient client, DeployTargets targets) {
    return run(client, targets, BOUND);
  }

  static Report run(WorkflowClient client, DeployTargets targets, Duration bound) {
    long start = System.nanoTime();
    List<String> failures = new ArrayList<>();
    Graph sample = sample(failures);
    boolean replayed = bounded("replaying " + HISTORY, () -> replay(client), bound, failures,
        " (the Temporal service at " + client.getWorkflowServiceStubs().getOptions().getTarget() + " did not answer)");
    boolean rehearsed = sample != null && bounded("the rehearsal deploy", () -> WorkerRehearsal.run(client, sample),
        bound, failures, "");
    List<String> warmed = new ArrayList<>();
    if (sample != null) {
      for (String kind : targets.kinds()) {
        try {
          targets.get(kind).warmUp(sample);
          warmed.add(kind);
        } catch (RuntimeException | LinkageError e) {
          failures.add("target " + kind + ": " + e);
        }
      }
    }
    Report report = new Report(Duration.ofNanos(System.nanoTime() - start), replayed, rehearsed, warmed, failures);
    if (failures.isEmpty()) {
      log.info("worker warmed up in {} ms (workflow code replayed, a deploy rehearsed; targets: {})",
          report.took().toMillis(), String.join(", ", warmed));
    } else {
      log.warn("worker warm-up incomplete after {} ms (only the first deploy's speed depends on it): {}",
          report.took().toMillis(), String.join("; ", failures));
    }
    return report;
  }

  /** A warm-up part that could wait, run on a daemon thread (one left behind by the bound must not keep the JVM up). */
  private static boolean bounded(String what, Part part, Duration bound, List<String> failures, String ifLate) {
    FutureTask<Void> task = new FutureTask<>(() -> {
      part.run();
      return null;
    });
    Thread thread = new Thread(task, "dynamo-warm-up");
    thread.setDaemon(true);
    thread.start();
    try {
      task.get(bound.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      failures.add(what + ": not done within " + bound.toSeconds() + " s" + ifLate);
    } catch (ExecutionException e) {
      failures.add(what + ": " + withRootCause(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failures.add(what + ": interrupted");
    }
    return false;
  }

  /** The SDK wraps the cause that says what went wrong (a refused payload, a failed activity) several levels deep. */
  private static String withRootCause(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root == t ? t.toString() : t + " (cause: " + root + ")";
  }

  private interface Part {
    void run() throws Exception;
  }

  /**
   * On a worker of its own that is never started, so it polls nothing, with a generous deadlock timeout (a cold JVM
   * loads classes on the workflow thread, which can pass the default 1 s on a busy host). The replay asks the
   * service for its capabilities, as the worker does anyway, and stopping the unstarted worker sends its shutdown
   * notice; nothing else reaches the service.
   */
  private static void replay(WorkflowClient client) throws Exception {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    try {
      Worker worker = factory.newWorker("dynamo-warm-up",
          WorkerOptions.newBuilder().setDefaultDeadlockDetectionTimeout(30_000).build());
      worker.registerWorkflowImplementationTypes(DeployWorkflows.implementations());
      worker.replayWorkflowExecution(new WorkflowExecutionHistory(history()));
    } finally {
      factory.shutdownNow();
    }
  }

  /**
   * The recorded history, parsed with protobuf's own JSON reader (the SDK's {@code fromJson} needs a JSON-path
   * library that the SDK does not bring).
   */
  static History history() throws IOException {
    try (InputStream in = DeployWorkflows.class.getResourceAsStream(HISTORY)) {
      if (in == null) throw new IOException(HISTORY + " is missing from the class path");
      History.Builder history = History.newBuilder();
      JsonFormat.parser().ignoringUnknownFields().merge(new String(in.readAllBytes(), StandardCharsets.UTF_8), history);
      return history.build();
    }
  }

  private static Graph sample(List<String> failures) {
    LoadResult r = GraphLoader.load("warm-up sample", SAMPLE, null);
    if (r.ok()) return r.graph();
    failures.add("the sample graph is invalid: " + r.errors());
    return null;
  }
}

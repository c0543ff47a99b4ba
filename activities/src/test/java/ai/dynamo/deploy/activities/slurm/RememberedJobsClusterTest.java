package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.testing.FreePorts;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.Stage;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A readiness wait starts from the job IDs its apply was answered with ({@link AppliedJobs}), not from the job-id
 * files, and looks a remembered job up again on the cluster before it fails the component for it: another worker's
 * retried apply may have replaced it.
 */
class RememberedJobsClusterTest {

  @Test
  void aWaitTakesTheJobsItsApplyWasAnsweredWithNotTheFiles() throws Exception {
    try (ClusterFixture fx = new ClusterFixture("remembered")) {
      SlurmTarget target = target();
      Graph g = graph(fx);
      DeployContext ctx = context(fx, g);
      Component web = g.components().get(0);
      String job = jobOf(target.apply(ctx, 1, web, Stage.ALL));
      // A job-id file naming a job that does not exist: a wait that read it would fail ("no longer known").
      String idFile = fx.layout(g).jobIdFile(1, "web", 0);
      fx.ssh.writeFile(idFile, "999999\n".getBytes(StandardCharsets.UTF_8), 0600);

      SlurmTargetClusterTest.RecordingWatch watch = new SlurmTargetClusterTest.RecordingWatch();
      assertEquals(new ReadyState(1, 1, "ready"), target.awaitReady(ctx, 1, web, Stage.ALL, watch));
      assertTrue(watch.reports.get(watch.reports.size() - 1).endsWith("[0=" + job + "]"), watch.reports.toString());
    }
  }

  @Test
  void aRememberedJobFoundEndedIsLookedUpAgainBeforeTheComponentFails() throws Exception {
    try (ClusterFixture fx = new ClusterFixture("remembered")) {
      Graph g = graph(fx);
      DeployContext ctx = context(fx, g);
      Component web = g.components().get(0);
      SlurmTarget thisWorker = target();
      String first = jobOf(thisWorker.apply(ctx, 1, web, Stage.ALL));
      // The job ends; the same run's apply, retried on another worker, submits a new one (and writes its file).
      fx.ssh.run("scancel " + first, RemoteShell.Retry.SAFE);
      awaitEnded(fx, first);
      String second = jobOf(target().apply(ctx, 1, web, Stage.ALL));
      assertNotEquals(first, second, "the other worker's apply replaced the ended job");

      SlurmTargetClusterTest.RecordingWatch watch = new SlurmTargetClusterTest.RecordingWatch();
      assertEquals(new ReadyState(1, 1, "ready"), thisWorker.awaitReady(ctx, 1, web, Stage.ALL, watch));
      assertTrue(watch.reports.get(watch.reports.size() - 1).endsWith("[0=" + second + "]"), watch.reports.toString());
    }
  }

  private static SlurmTarget target() {
    return new SlurmTarget(new WorkerSecretSource(Map.of(), null), Duration.ofMillis(300), Duration.ofSeconds(1),
        Duration.ofSeconds(20));
  }

  /** The job ID in an apply's message ("submitted job(s) 123"). */
  private static String jobOf(ReadyState applied) {
    String id = applied.message().replaceAll("\\D+", " ").strip().split(" ")[0];
    assertTrue(applied.message().contains("submitted job(s) " + id), applied.message());
    return id;
  }

  private static void awaitEnded(ClusterFixture fx, String job) throws Exception {
    SlurmClient slurm = new SlurmClient(fx.ssh);
    for (int i = 0; i < 100; i++) {
      List<SlurmJob> seen = slurm.jobsById(List.of(job));
      if (seen.isEmpty() || seen.get(0).state().ended()) return;
      Thread.sleep(200);
    }
    throw new AssertionError("job " + job + " did not end within 20 s of scancel");
  }

  private static Graph graph(ClusterFixture fx) throws Exception {
    String name = "mem-" + UUID.randomUUID().toString().substring(0, 8);
    return fx.graph("version: 1\nname: " + name + "\ncomponents:\n  - name: web\n    cmd: [python3, "
        + fx.standinPath() + "]\n    run_config: {input: http, output: dyn}\n    parameters: {port: "
        + FreePorts.take() + "}\n    resources: {cpu: 1, memory: 128Mi}\n");
  }

  private static DeployContext context(ClusterFixture fx, Graph g) {
    Map<String, String> settings = fx.targetSettings();
    DeployRequest request = DeployRequest.of(g, new TargetSpec("slurm", "test", settings), DeployOptions.defaults("test"));
    return new DeployContext(request, "deploy/slurm/test/" + g.name(), UUID.randomUUID().toString());
  }
}

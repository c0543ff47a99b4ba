package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import ai.dynamo.deploy.testing.FreePorts;
import ai.dynamo.deploy.workflows.HeldCancelled;
import ai.dynamo.deploy.workflows.Stage;
import ai.dynamo.deploy.workflows.StepRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link SlurmTarget#cancelHeld} on the local cluster, called directly as a retried activity would call it: the held
 * job that was never released is cancelled (squeue no longer lists it); a released one and a job submitted without a
 * hold keep running; a second call cancels nothing more and answers the same.
 */
class SlurmHeldCancelClusterTest {

  @Test
  void cancelsOnlyTheHeldJobThatWasNeverReleasedAndASecondCallChangesNothing() throws Exception {
    try (ClusterFixture fx = new ClusterFixture("held-cancel")) {
      String name = "held-" + UUID.randomUUID().toString().substring(0, 8);
      Graph g = fx.graph("version: 1\nname: " + name + "\ncomponents:\n"
          + service(fx, "engine", FreePorts.take()) + service(fx, "front", FreePorts.take())
          + service(fx, "side", FreePorts.take()));
      SlurmTarget target = new SlurmTarget(new WorkerSecretSource(Map.of(), null), Duration.ofMillis(300),
          Duration.ofSeconds(1), Duration.ofSeconds(20));
      DeployContext ctx = SlurmTargetClusterTest.context(fx, g, "deploy/slurm/test/" + name);
      Component engine = g.components().get(0);
      Component front = g.components().get(1);
      Component side = g.components().get(2);

      // The wave that runs (engine), and two held for the next wave; side's own wave then releases it.
      target.apply(ctx, engine, StepRequest.apply(1, "engine", Stage.ALL).startedWith(3));
      target.apply(ctx, front, StepRequest.held(1, "front", Stage.ALL, null, 3));
      target.apply(ctx, side, StepRequest.held(1, "side", Stage.ALL, null, 3));
      target.apply(ctx, side, StepRequest.apply(1, "side", Stage.ALL).startedWith(1));
      String frontJob = job(fx, g, "front");
      String sideJob = job(fx, g, "side");
      String engineJob = job(fx, g, "engine");

      List<String> asked = List.of("front", "side");
      HeldCancelled first = target.cancelHeld(ctx, 1, asked, new SlurmTargetClusterTest.RecordingWatch());
      assertEquals(new HeldCancelled(List.of("front"), List.of(frontJob)), first);
      SlurmClient slurm = new SlurmClient(fx.ssh);
      assertEquals(SlurmJobState.CANCELLED, slurm.jobsById(List.of(frontJob)).get(0).state());
      List<String> queued = fx.queued();
      assertFalse(queued.contains(frontJob), "squeue still lists the held job " + frontJob + ": " + queued);
      assertTrue(queued.contains(sideJob), "the released job keeps running: " + queued);
      assertTrue(queued.contains(engineJob), "a job submitted without a hold keeps running: " + queued);

      HeldCancelled again = target.cancelHeld(ctx, 1, asked, new SlurmTargetClusterTest.RecordingWatch());
      assertEquals(first, again, "a retried call answers the same");
      assertTrue(fx.queued().containsAll(List.of(sideJob, engineJob)), "and cancels nothing more");

      // Another run of the same deploy has no held jobs of its own: it touches nothing.
      DeployContext otherRun = SlurmTargetClusterTest.context(fx, g, ctx.workflowId());
      assertEquals(HeldCancelled.none(),
          target.cancelHeld(otherRun, 1, asked, new SlurmTargetClusterTest.RecordingWatch()));
    }
  }

  private static String service(ClusterFixture fx, String name, int port) throws IOException {
    return "  - name: " + name + "\n    cmd: [python3, " + fx.standinPath() + "]\n"
        + "    run_config: {input: http, output: dyn}\n    parameters: {port: " + port + "}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n";
  }

  private static String job(ClusterFixture fx, Graph g, String component) throws IOException {
    String jobName = SlurmNames.jobName(g, component, 0);
    List<SlurmJob> jobs = fx.jobsOf(g).stream().filter(j -> j.name().equals(jobName)).toList();
    assertEquals(1, jobs.size(), "one job of " + component + ": " + jobs);
    return jobs.get(0).id();
  }
}

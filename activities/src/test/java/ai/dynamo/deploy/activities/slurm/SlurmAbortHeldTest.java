package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.client.DeployDecisions;
import ai.dynamo.deploy.client.DeployOutcomes;
import ai.dynamo.deploy.client.DeployStarter;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.FreePorts;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.TargetSpec;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A paused deploy aborted on the real local Slurm cluster, through the workflow: the front end's job, submitted held
 * with the engines and never released, is cancelled (squeue no longer lists it) and named; the engine that started
 * keeps running, as an abort promises.
 */
@Timeout(240)
class SlurmAbortHeldTest {

  @Test
  void abortCancelsTheHeldFrontEndAndLeavesTheRunningEngine() throws Exception {
    try (ClusterFixture fx = new ClusterFixture("abort-held");
        DeployEnvironment env = DeployEnvironment.serving(new SlurmTarget(new WorkerSecretSource(Map.of(), null),
            Duration.ofMillis(300), Duration.ofSeconds(2), Duration.ofSeconds(20)))) {
      String name = "abort-" + UUID.randomUUID().toString().substring(0, 8);
      String absent = fx.ssh.home() + "/" + fx.remoteDir + "/absent/standin.py";
      Graph g = fx.graph("version: 1\nname: " + name + "\ncomponents:\n"
          + component("engine", fx.standinPath(), "dyn://t.good.generate", FreePorts.take())
          + component("broken", absent, "dyn://t.bad.generate", FreePorts.take())
          + component("front", fx.standinPath(), "http", FreePorts.take()));
      Map<String, String> settings = fx.targetSettings();
      DeployRequest request = DeployRequest.of(g, new TargetSpec("slurm", "local-" + name, settings),
          new DeployOptions(Duration.ofMinutes(2), Duration.ofMinutes(2), "alice@ws").pausingOnFailure(null));
      WorkflowClient client = env.client();
      DeployStarter.Started s = DeployStarter.startOrAttach(client, request, Set.of());
      var stub = client.newUntypedWorkflowStub(s.workflowId(), Optional.of(s.runId()), Optional.empty());
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (stub.query("progress", DeployProgress.class).phase() != Phase.PAUSED) {
        assertTrue(System.nanoTime() < deadline, "never paused: " + stub.query("progress", DeployProgress.class));
        Thread.sleep(300);
      }
      RemoteLayout layout = fx.layout(g);
      String frontJob = fx.ssh.readFile(layout.jobIdFile(1, "front", 0)).orElseThrow().strip();
      String engineJob = fx.ssh.readFile(layout.jobIdFile(1, "engine", 0)).orElseThrow().strip();
      assertTrue(fx.queued().contains(frontJob), "held while paused: " + fx.queued());

      DeployDecisions.Outcome abort = DeployDecisions.decide(client, s.workflowId(), "abort");
      assertTrue(abort.message().endsWith("; the held job(s) of front, which never started, are cancelled"),
          abort.message());
      DeployResult result = DeployOutcomes.await(stub);
      assertEquals(Phase.FAILED, result.phase());
      assertTrue(result.message().contains("; cancelled the held job(s) of front, which never started (job(s) "
          + frontJob + ")): broken"), result.message());
      SlurmClient slurm = new SlurmClient(fx.ssh);
      assertEquals(SlurmJobState.CANCELLED, slurm.jobsById(List.of(frontJob)).get(0).state());
      List<String> queued = fx.queued();
      assertFalse(queued.contains(frontJob), "squeue still lists the held front end: " + queued);
      assertTrue(queued.contains(engineJob), "the engine that started stays as it is: " + queued);
      String status = fx.ssh.readFile(layout.graphDir() + "/" + RemoteLayout.statusFileInGraphDir(1, "front", 0))
          .orElse("");
      assertFalse(status.contains(" started"), "the front end never started: " + status);
    }
  }

  private static String component(String name, String program, String input, int port) {
    return "  - name: " + name + "\n    cmd: [python3, " + program + "]\n"
        + "    run_config: {input: \"" + input + "\", output: dyn}\n    parameters: {port: " + port + "}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n";
  }
}

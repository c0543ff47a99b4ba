package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.client.DeployOutcomes;
import ai.dynamo.deploy.client.DeployStarter;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * How long an identical re-run of {@code dynamo deploy --wait} takes on the real local Slurm cluster (issue 10: "in
 * seconds"): the deploy workflow on Temporal's Java test server with the real Slurm target, from start to READY
 * {@code unchanged} (validate, plan, preflight, plan update with its squeue health check). Not a unit test: run by
 * activities/bench/run.sh, which prints a Markdown table for BENCHMARKS.md. Graph: a 2-node x 8-GPU decode group
 * and a CPU front end, on ports 26900-26901 (another pair with {@code -Dbench.firstPort=N}: N and N+1, when several
 * people measure on one host, whose nodes share its ports).
 */
public final class IdenticalRerunBenchmark {
  private static final int RERUNS = 10;
  private static final int FIRST_PORT = Integer.getInteger("bench.firstPort", 26900);

  public static void main(String[] args) throws Exception {
    try (ClusterFixture fx = new ClusterFixture("bench");
        DeployEnvironment env = DeployEnvironment.serving(new SlurmTarget())) {
      String standin = fx.standinPath();
      Graph g = fx.graph("version: 1\nname: bench-" + UUID.randomUUID().toString().substring(0, 6)
          + "\ncomponents:\n"
          + "  - name: decode\n    cmd: [python3, " + standin + "]\n"
          + "    run_config: {input: \"dyn://b.decode.generate\", output: echo, num_nodes: 2,"
          + " leader_addr: \"127.0.0.1:" + (FIRST_PORT + 1) + "\"}\n"
          + "    resources: {cpu: 1, memory: 128Mi, gpu: 8}\n"
          + "  - name: frontend\n    cmd: [python3, " + standin + "]\n"
          + "    run_config: {input: http, output: dyn}\n    parameters: {port: " + FIRST_PORT + "}\n"
          + "    resources: {cpu: 1, memory: 128Mi}\n");
      Map<String, String> settings = fx.targetSettings();
      DeployRequest request = DeployRequest.of(g, new TargetSpec("slurm", "bench", settings),
          new DeployOptions(Duration.ofMinutes(3), Duration.ofMinutes(3), "bench"));
      long first = run(env, request, Phase.READY, null);
      List<Long> reruns = new ArrayList<>();
      for (int i = 0; i < RERUNS; i++) reruns.add(run(env, request, Phase.READY, "unchanged"));
      print("local Slurm (3 nodes x 8 GPUs), real SSH + squeue", first, reruns);
    }
  }

  /** Starts the request, waits for its end, checks it, returns the wall time in milliseconds. */
  public static long run(DeployEnvironment env, DeployRequest request, Phase expected, String messagePrefix) {
    long start = System.nanoTime();
    DeployStarter.Started s = DeployStarter.startOrAttach(env.client(), request);
    DeployResult result = DeployOutcomes.await(
        env.client().newUntypedWorkflowStub(s.workflowId(), Optional.of(s.runId()), Optional.empty()));
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (result.phase() != expected || messagePrefix != null && !result.message().startsWith(messagePrefix)) {
      throw new IllegalStateException("unexpected end: " + result.phase() + " " + result.message());
    }
    return millis;
  }

  public static void print(String where, long first, List<Long> reruns) {
    List<Long> sorted = new ArrayList<>(reruns);
    sorted.sort(null);
    System.out.printf("| %s | %d | %d | %d | %d | %d |%n", where, first, reruns.size(), sorted.get(0),
        sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
  }
}

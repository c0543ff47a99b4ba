package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.slurm.IdenticalRerunBenchmark;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.Phase;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The identical re-run on the Kubernetes target against fabric8's mock API server (with the simulated controller):
 * start to READY {@code unchanged}, nothing applied. Not a unit test: run by activities/bench/run.sh.
 */
public final class IdenticalRerunMockBenchmark {
  public static void main(String[] args) throws Exception {
    try (MockCluster cluster = new MockCluster().namespace(K8sGraphs.NS).secret(K8sGraphs.NS, "hf-token", "HF_TOKEN")
            .withController(K8sGraphs.NS);
        DeployEnvironment env = DeployEnvironment.serving(new K8sTarget(KubeClients.of(cluster.client), Clock.systemUTC()))) {
      cluster.controller().withGpuNodes(3, 8);
      Graph g = K8sGraphs.graph("g", K8sGraphs.frontend(K8sGraphs.IMAGE), K8sGraphs.engine(K8sGraphs.IMAGE));
      DeployRequest request = K8sGraphs.request(g, Map.of());
      long first = IdenticalRerunBenchmark.run(env, request, Phase.READY, null);
      List<Long> reruns = new ArrayList<>();
      for (int i = 0; i < 10; i++) reruns.add(IdenticalRerunBenchmark.run(env, request, Phase.READY, "unchanged"));
      IdenticalRerunBenchmark.print("Kubernetes, fabric8 mock API server + simulated controller", first, reruns);
    }
  }
}

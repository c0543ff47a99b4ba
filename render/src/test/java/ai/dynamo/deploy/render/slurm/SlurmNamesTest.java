package ai.dynamo.deploy.render.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.dynamo.deploy.ir.Graph;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlurmNamesTest {
  @Test
  void jobNameJoinsGraphComponentAndReplicaWithDots() {
    Graph g = new Graph("1.0", "My_Graph", List.of());
    assertEquals("my-graph.vllm-worker.3", SlurmNames.jobName(g, "vllm_worker", 3));
  }

  @Test
  void scriptLivesInTheReplicaDirectory() {
    assertEquals("http-ingress-0/http-ingress-0.sbatch", SlurmNames.scriptPath("http_ingress", 0));
  }

  @Test
  void nodeSelectorBecomesFeaturesJoinedByAnd() {
    Map<String, String> sel = new LinkedHashMap<>();
    sel.put("role", "leader");
    sel.put("gpu.type", "a100-80g");
    assertEquals("role_leader&gpu_type_a100_80g", SlurmNames.constraint(sel));
  }
}

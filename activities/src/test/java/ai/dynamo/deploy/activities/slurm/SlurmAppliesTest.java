package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.TestGraphs;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlurmAppliesTest {
  @Test
  void groupsAreSubmittedFirstThenTheGraphsOrderWhateverOrderTheAppliesArrivedIn() {
    Component engineA = TestGraphs.service("engine-a", "dyn://a.b.c", 1);
    Component groupB = TestGraphs.component("group-b", "dyn://a.b.d", 1, 2);
    Component engineC = TestGraphs.service("engine-c", "dyn://a.b.e", 1);
    Component groupD = TestGraphs.component("group-d", "dyn://a.b.f", 1, 3);
    Graph graph = new Graph("1.0", "g", List.of(engineA, groupB, engineC, groupD));

    // Arrival order (the wave's activity threads): engine-c, group-b, engine-a, group-d.
    List<Integer> order = SlurmApplies.submissionOrder(graph, List.of(engineC, groupB, engineA, groupD));
    assertEquals(List.of(3, 1, 2, 0), order, "group-d (3 nodes), group-b (2), then engine-a, engine-c as in the graph");
    assertEquals(List.of(0), SlurmApplies.submissionOrder(graph, List.of(engineC)));
  }
}

package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.TestGraphs;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlurmAppliesTest {
  private static BatchSubmitter.Apply apply(Component c) {
    return new BatchSubmitter.Apply(1, c, "");
  }

  private static BatchSubmitter.Apply held(Component c) {
    return new BatchSubmitter.Apply(1, c, "", true);
  }

  @Test
  void groupsAreSubmittedFirstThenTheGraphsOrderWhateverOrderTheAppliesArrivedIn() {
    Component engineA = TestGraphs.service("engine-a", "dyn://a.b.c", 1);
    Component groupB = TestGraphs.component("group-b", "dyn://a.b.d", 1, 2);
    Component engineC = TestGraphs.service("engine-c", "dyn://a.b.e", 1);
    Component groupD = TestGraphs.component("group-d", "dyn://a.b.f", 1, 3);
    Graph graph = new Graph("1.0", "g", List.of(engineA, groupB, engineC, groupD));

    // Arrival order (the wave's activity threads): engine-c, group-b, engine-a, group-d.
    List<Integer> order =
        SlurmApplies.submissionOrder(graph, List.of(apply(engineC), apply(groupB), apply(engineA), apply(groupD)));
    assertEquals(List.of(3, 1, 2, 0), order, "group-d (3 nodes), group-b (2), then engine-a, engine-c as in the graph");
    assertEquals(List.of(0), SlurmApplies.submissionOrder(graph, List.of(apply(engineC))));
  }

  @Test
  void heldAppliesGoLastEvenAGroupSoTheRunningWavesJobsGetTheFirstJobIds() {
    Component front = TestGraphs.service("front", "http", 1);
    Component engine = TestGraphs.service("engine", "dyn://a.b.c", 1);
    Component heldGroup = TestGraphs.component("held-group", "dyn://a.b.d", 1, 2);
    Graph graph = new Graph("1.0", "g", List.of(front, engine, heldGroup));

    List<Integer> order = SlurmApplies.submissionOrder(graph, List.of(held(heldGroup), held(front), apply(engine)));
    assertEquals(List.of(2, 0, 1), order, "engine (not held), then the held group, then the held front end");
  }
}

package ai.dynamo.deploy.workflows;

import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.MultiNode;
import ai.dynamo.deploy.ir.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeployPlansTest {
  static Component component(String name, String input, int replicas, int nodes) {
    return new Component(name, "img", Component.DEFAULT_CMD, input, "vllm", List.of(), replicas, Resources.NONE,
        List.of(), List.of(), Map.of(), nodes > 1 ? new MultiNode(nodes, null, null) : MultiNode.SINGLE, null);
  }

  @Test
  void enginesFormTheFirstWaveFrontEndsAndBatchTheSecond() {
    Graph g = new Graph("1.0", "g", List.of(
        component("ingress", "http", 5, 1),
        component("vllm", "dyn://a.b.c", 2, 1),
        component("group", "dyn://d.e.f", 1, 2),
        component("batch", "batch:/p.jsonl", 1, 1)));
    DeployPlan plan = DeployPlans.plan(g, List.of("w"));
    assertEquals(List.of(List.of("vllm", "group"), List.of("ingress", "batch")), plan.waves());
    assertEquals(List.of("w"), plan.warnings());
    ComponentPlan group = plan.component("group");
    assertTrue(group.isGroup());
    assertEquals(List.of(Stage.LEADER, Stage.WORKERS), group.stages());
    assertEquals(1, group.desired(Stage.LEADER));
    assertEquals(1, group.desired(Stage.WORKERS));
    assertEquals(2, group.desired());
    assertEquals("1 replica x 2 nodes", group.summary());
    assertEquals("5 replicas", plan.component("ingress").summary());
    assertEquals("1 batch job", plan.component("batch").summary());
    assertEquals(List.of(Stage.ALL), plan.component("vllm").stages());
  }

  @Test
  void aGraphOfFrontEndsOnlyHasOneWave() {
    DeployPlan plan = DeployPlans.plan(new Graph("1.0", "g", List.of(component("a", "http", 1, 1))), List.of());
    assertEquals(List.of(List.of("a")), plan.waves());
  }

  @Test
  void groupDesiredUnitsCountEveryNode() {
    ComponentPlan p = new ComponentPlan("x", 3, 4, false, "");
    assertEquals(3, p.desired(Stage.LEADER));
    assertEquals(9, p.desired(Stage.WORKERS));
    assertEquals(12, p.desired());
  }
}

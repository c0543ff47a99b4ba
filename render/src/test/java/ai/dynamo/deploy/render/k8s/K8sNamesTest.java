package ai.dynamo.deploy.render.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The shortening scheme documented in docs/kubernetes-render.md, pinned down exactly. */
class K8sNamesTest {
  @Test
  void shortNamesAreGraphDashComponent() {
    assertEquals("demo-frontend", K8sNames.base("demo", "frontend", 63));
  }

  @Test
  void longNamesAreCutFairlyAndHashed() {
    String graph = "g".repeat(40);
    String component = "c".repeat(40);
    String hash = "a63ec2cc"; // printf '%s-%s' "$graph" "$component" | sha256sum | cut -c1-8
    // room = 42 - 9 (hash) - 1 (dash) = 32, split evenly
    assertEquals("g".repeat(16) + "-" + "c".repeat(16) + "-" + hash, K8sNames.base(graph, component, 42));
    // a short component keeps all of its name; the graph gets the rest
    assertEquals(("g".repeat(29) + "-api-").length() + 8, K8sNames.base(graph, "api", 42).length());
    assertEquals("g".repeat(29) + "-api-", K8sNames.base(graph, "api", 42).substring(0, 34));
  }

  @Test
  void cutsNeverLeaveADoubleDash() {
    // room 20: both parts get 10 characters, and both cuts land just after a dash
    String name = K8sNames.base("abcdefghi-jklmnopqrst", "component-with-dashes-here", 30);
    assertTrue(name.startsWith("abcdefghi-component-"), name);
    assertTrue(name.length() <= 30, name);
    assertEquals(-1, name.indexOf("--"), name);
  }

  @Test
  void fitCutsLabelValues() {
    String value = "v".repeat(70);
    assertEquals(63, K8sNames.fit(value, 63).length());
    assertEquals(value.substring(0, 10), K8sNames.fit(value.substring(0, 10), 63));
  }
}

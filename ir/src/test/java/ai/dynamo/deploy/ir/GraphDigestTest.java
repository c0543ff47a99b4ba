package ai.dynamo.deploy.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The graph digest stays the same when the model grows: pinned digests of the example graphs, and the rule that
 * makes them stable (absent fields are left out of the canonical JSON).
 */
class GraphDigestTest {
  private static final String WHY = "The digest of an unchanged graph changed. New model fields must be nullable or "
      + "collections, left out when absent (null, empty), so that existing graphs keep their digest. Changing this "
      + "literal means a deploy started by an older version is refused when the same file is deployed again "
      + "(\"a different spec is running\") and every Kubernetes object gets a new ir-digest annotation.";

  @Test
  void theDemoGraphKeepsItsDigest() {
    assertEquals("5d69b956be3d97fd98bb242f2e6db8e8ad58bec0142d0d76ae67f59a14fc9d39",
        GraphDigest.sha256(ExampleGraphs.demo()), WHY);
  }

  /** The disaggregated example sets every IR field; the reference example adds node_rank (a 0 that must stay). */
  @Test
  void graphsSettingTheOptionalFieldsKeepTheirDigest() {
    assertEquals("6e021459f03aa5a57395d9fe6e39b1bbce41beb0009d0600ca937f956695a330",
        GraphDigest.sha256(ExampleGraphs.load(ExampleGraphs.DISAGGREGATED, null)), WHY);
    assertEquals("d071fcbcc174d2aa3de5cb3610c5cdc4ba5a78c8fd892d01492856d2984c18ba",
        GraphDigest.sha256(ExampleGraphs.reference()), WHY);
  }

  /** The digest versions before the stable form gave the demo graph (the ir-digest annotation of old renderings). */
  @Test
  void thePreviousFormIsTheDigestOlderVersionsComputed() {
    assertEquals("62a282f5087a6cc17161a54160271c3b3d345fdfa31976fc4d267839d51dc182",
        GraphDigest.previousForm(ExampleGraphs.demo()));
  }

  record Version1(String name, int replicas, Map<String, String> labels) {}

  record Version2(String name, int replicas, Map<String, String> labels, String note, List<String> extras) {}

  @Test
  void aFieldAddedLaterAndLeftAbsentChangesNoByte() {
    byte[] v1 = GraphDigest.canonicalJson(new Version1("w", 2, Map.of("role", "leader")));
    byte[] v2 = GraphDigest.canonicalJson(new Version2("w", 2, Map.of("role", "leader"), null, List.of()));
    assertArrayEquals(v1, v2, new String(v2, StandardCharsets.UTF_8));
  }

  record Flags(boolean on, String text, int count, Integer port) {}

  @Test
  void emptyStringsFalseAndZeroAreKeptNullAndEmptyCollectionsLeftOut() {
    assertEquals("{\"name\":\"\",\"replicas\":0}",
        new String(GraphDigest.canonicalJson(new Version2("", 0, Map.of(), null, List.of())), StandardCharsets.UTF_8));
    assertEquals("{\"on\":false,\"text\":\"\",\"count\":0,\"port\":0}",
        new String(GraphDigest.canonicalJson(new Flags(false, "", 0, 0)), StandardCharsets.UTF_8));
    assertEquals("{\"numNodes\":1,\"userNodeRank\":0}",
        new String(GraphDigest.canonicalJson(new MultiNode(1, 0, null)), StandardCharsets.UTF_8));
    assertEquals("{\"cpu\":\"\",\"gpu\":0}",
        new String(GraphDigest.canonicalJson(new Resources("", null, 0)), StandardCharsets.UTF_8));
  }

  @Test
  void anEmptyStringAndAnAbsentValueGiveDifferentDigests() {
    Graph absent = new Graph("1.0", "g", List.of(TestGraphs.service("w", "http", 1)));
    Component c = absent.components().get(0);
    Component emptyImage = new Component(c.name(), "", c.cmd(), c.input(), c.output(), c.parameters(), c.replicas(),
        c.resources(), c.environment(), c.secrets(), c.nodeSelector(), c.multiNode(), c.readiness());
    Component noImage = new Component(c.name(), null, c.cmd(), c.input(), c.output(), c.parameters(), c.replicas(),
        c.resources(), c.environment(), c.secrets(), c.nodeSelector(), c.multiNode(), c.readiness());
    assertNotEquals(GraphDigest.sha256(new Graph("1.0", "g", List.of(emptyImage))),
        GraphDigest.sha256(new Graph("1.0", "g", List.of(noImage))));
  }
}

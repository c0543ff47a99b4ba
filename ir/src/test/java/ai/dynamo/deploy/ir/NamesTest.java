package ai.dynamo.deploy.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NamesTest {
  @Test
  void dnsLabelKeepsMeaningAndDropsWhatKubernetesRefuses() {
    assertEquals("http-ingress", Names.dnsLabel("http_ingress"));
    assertEquals("vllm-worker", Names.dnsLabel("VLLM__Worker"));
    assertEquals("a-b", Names.dnsLabel("_a.b_"));
    assertEquals("", Names.dnsLabel("___"));
  }

  @Test
  void placeholderImagesAreRecognised() {
    assertTrue(Names.isPlaceholderImage("..."));
    assertTrue(Names.isPlaceholderImage("<pre-built-image>"));
    assertTrue(Names.isPlaceholderImage(null));
    assertTrue(Names.isPlaceholderImage("  "));
    assertFalse(Names.isPlaceholderImage("nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.4.0"));
  }

  @Test
  void quantitiesParseKubernetesNotation() {
    assertEquals(500, Quantities.cpuMillis("500m"));
    assertEquals(10_000, Quantities.cpuMillis("10"));
    assertEquals(1_500, Quantities.cpuMillis("1.5"));
    assertEquals(-1, Quantities.cpuMillis("ten"));
    assertEquals(2L << 30, Quantities.memoryBytes("2Gi"));
    assertEquals(512L << 20, Quantities.memoryBytes("512Mi"));
    assertEquals(16_000_000_000L, Quantities.memoryBytes("16G"));
    assertEquals(-1, Quantities.memoryBytes("16GB"));
  }
}

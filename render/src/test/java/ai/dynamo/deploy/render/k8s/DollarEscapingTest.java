package ai.dynamo.deploy.render.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DollarEscapingTest {
  private static final Map<String, String> ENV = Map.of("X", "EXPANDED", "HF_TOKEN", "EXPANDED");

  @Test
  void referencesArriveLiterally() {
    assertEquals("$$(HF_TOKEN)", DollarEscaping.escape("$(HF_TOKEN)"));
    assertEquals("$(HF_TOKEN)", KubeletExpansion.expand("$$(HF_TOKEN)", ENV));
    assertEquals("a$$$$(X)", DollarEscaping.escape("a$$(X)"));
    assertEquals("$HOME and 5$", DollarEscaping.escape("$HOME and 5$"), "a $ that Kubernetes ignores stays single");
  }

  @Test
  void theExpansionReferenceReallyExpands() {
    // guards the check below against an expansion model that never expands anything
    assertEquals("EXPANDED", KubeletExpansion.expand("$(X)", ENV));
    assertEquals("$", KubeletExpansion.expand("$$", ENV));
    assertEquals("$(Y)", KubeletExpansion.expand("$(Y)", ENV));
  }

  /** Every string up to 6 characters over the characters that matter survives escaping plus expansion. */
  @Test
  void everyShortStringSurvivesTheKubelet() {
    char[] alphabet = {'$', '(', ')', 'X', 'a'};
    int checked = 0;
    for (int length = 0; length <= 6; length++) {
      int combinations = (int) Math.pow(alphabet.length, length);
      for (int n = 0; n < combinations; n++) {
        StringBuilder s = new StringBuilder();
        int rest = n;
        for (int k = 0; k < length; k++) {
          s.append(alphabet[rest % alphabet.length]);
          rest /= alphabet.length;
        }
        String original = s.toString();
        assertEquals(original, KubeletExpansion.expand(DollarEscaping.escape(original), ENV), original);
        checked++;
      }
    }
    assertEquals(19531, checked);
  }
}

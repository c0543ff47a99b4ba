package ai.dynamo.deploy.render.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes Kubernetes objects (ordered maps) as one multi-document YAML text. Key order is the maps' insertion order,
 * lines are never folded and line breaks are always {@code \n}, so the same objects give the same bytes.
 */
final class KubeYaml {
  private KubeYaml() {}

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              // long args and values stay on one line instead of being folded at 80 columns
              .disable(YAMLGenerator.Feature.SPLIT_LINES)
              .disable(YAMLGenerator.Feature.USE_PLATFORM_LINE_BREAKS)
              // quotes only where YAML needs them; strings that look like numbers/booleans stay quoted
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              // "8080" in args and "0" in a label stay strings: Kubernetes refuses numbers there
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
              .stringQuotingChecker(new StrictQuoting())
              .build());

  /**
   * Leaves a string unquoted only when every YAML parser reads it back as that same string: kubectl's parser
   * follows YAML 1.1, where {@code 1:20} is a number and {@code on} a boolean. Everything else (user values with
   * {@code :}, {@code #}, quotes, leading digits, ...) is quoted.
   */
  private static final class StrictQuoting extends StringQuotingChecker.Default {
    private static final long serialVersionUID = 1L;
    private static final Pattern PLAIN =
        Pattern.compile("(--?)?[A-Za-z/][A-Za-z0-9_./=-]*|[0-9]+(\\.[0-9]+)?(m|[KMGTPE]i|[kMGTPE])");

    @Override
    public boolean needToQuoteValue(String value) {
      return super.needToQuoteValue(value) || !PLAIN.matcher(value).matches();
    }
  }

  static String documents(List<Map<String, Object>> objects) {
    StringBuilder out = new StringBuilder();
    for (Map<String, Object> object : objects) {
      out.append("---\n");
      try {
        out.append(YAML.writeValueAsString(object));
      } catch (JsonProcessingException e) {
        // only plain maps, lists, strings and numbers get here
        throw new IllegalStateException("cannot write Kubernetes object as YAML", e);
      }
    }
    return out.toString();
  }
}

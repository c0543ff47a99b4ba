package ai.dynamo.deploy.activities.slurm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code scontrol show job --oneliner} output: {@code Key=Value} pairs separated by spaces, where a value
 * may itself contain spaces (Comment, Reason); a value runs until the next {@code " Key="} of a known shape.
 */
final class ScontrolFields {
  private ScontrolFields() {}

  private static final Pattern KEY = Pattern.compile("(?:^|\\s)([A-Z][A-Za-z0-9_/:]*)=");

  static Map<String, String> parse(String text) {
    Map<String, String> fields = new LinkedHashMap<>();
    String line = text.strip();
    Matcher m = KEY.matcher(line);
    List<int[]> keys = new java.util.ArrayList<>();
    while (m.find()) keys.add(new int[] {m.start(1), m.end(1), m.end()});
    for (int i = 0; i < keys.size(); i++) {
      int[] k = keys.get(i);
      int end = i + 1 < keys.size() ? keys.get(i + 1)[0] : line.length();
      fields.putIfAbsent(line.substring(k[0], k[1]), line.substring(k[2], end).strip());
    }
    return fields;
  }
}

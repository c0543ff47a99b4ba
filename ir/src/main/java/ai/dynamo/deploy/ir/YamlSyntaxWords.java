package ai.dynamo.deploy.ir;

import org.yaml.snakeyaml.error.Mark;

/**
 * SnakeYAML's syntax errors in the words of someone who edits YAML rather than parses it: "expected
 * &lt;block end&gt;, but found '&lt;block mapping start&gt;'" is a line indented differently from its neighbours. The
 * common slips get a plain sentence; anything else keeps the parser's own words. The position is the parser's.
 */
public final class YamlSyntaxWords {
  private YamlSyntaxWords() {}

  /**
   * @param context what the parser was reading ("while parsing a flow mapping"), or null
   * @param contextMark where that started, or null
   * @param problem what it found ("expected ',' or '}', but got &lt;stream end&gt;"), or null
   * @return the message after "invalid YAML: "
   */
  public static String describe(String context, Mark contextMark, String problem) {
    String p = problem == null ? "" : problem;
    String c = context == null ? "" : context;
    String started = contextMark == null ? "" : " at line " + (contextMark.getLine() + 1) + ", column "
        + (contextMark.getColumn() + 1);
    if (p.contains("'\\t(TAB)'") || p.contains("\\t(TAB)")) {
      return "a tab character cannot indent YAML; indent with spaces";
    }
    if (c.contains("block") && p.contains("expected <block end>")) {
      return "this line is indented differently from the lines above it: keys of one mapping (and the '-' of one"
          + " list) must start in the same column (the " + (c.contains("mapping") ? "mapping" : "list")
          + " that starts" + started + ")";
    }
    if (c.contains("flow mapping") && p.contains("'}'")) {
      return "the '{'" + started + " is not closed: expected ',' or '}'" + (p.contains("<stream end>")
          ? " before the end of the file" : " here");
    }
    if (c.contains("flow sequence") && p.contains("']'")) {
      return "the '['" + started + " is not closed: expected ',' or ']'" + (p.contains("<stream end>")
          ? " before the end of the file" : " here");
    }
    if (c.contains("quoted scalar") && p.contains("end of stream")) {
      return "the quoted value" + started + " has no closing quote";
    }
    if (p.contains("mapping values are not allowed here")) {
      return "a ': ' where no key can start: quote the value if it contains ': ', or check the indentation of this"
          + " line";
    }
    if (c.contains("simple key") && p.contains("could not find expected ':'")) {
      return "a key without ':' (or a value that goes on over several lines without quotes)" + started;
    }
    if (p.contains("found undefined alias")) {
      return "alias *" + p.substring(p.indexOf("alias") + 5).strip() + " refers to no anchor (&name) defined before it";
    }
    return null;
  }
}

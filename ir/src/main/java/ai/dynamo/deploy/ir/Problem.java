package ai.dynamo.deploy.ir;

/**
 * One problem found in a graph file.
 *
 * @param severity errors make the graph invalid; warnings are printed but do not fail
 * @param file the file name as the user gave it
 * @param line 1-based line, or 0 when the problem has no position (a missing file, an empty file)
 * @param column 1-based column, or 0 when the problem has no position
 * @param path the field the problem is about, e.g. {@code components[1].resources.gpu}; empty when none
 * @param message what is wrong, in words a user can act on; never contains a secret or environment value
 */
public record Problem(Severity severity, String file, int line, int column, String path, String message) {

  public enum Severity {
    ERROR,
    WARNING
  }

  public Problem {
    // One problem, one line: a key or value with a newline or tab in it must not break the format.
    path = oneLine(path == null ? "" : path);
    message = oneLine(message);
  }

  private static String oneLine(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    return out.toString();
  }

  public static Problem error(String file, int line, int column, String path, String message) {
    return new Problem(Severity.ERROR, file, line, column, path, message);
  }

  public static Problem warning(String file, int line, int column, String path, String message) {
    return new Problem(Severity.WARNING, file, line, column, path, message);
  }

  /** A problem about the file as a whole, without a position. */
  public static Problem fileError(String file, String message) {
    return new Problem(Severity.ERROR, file, 0, 0, "", message);
  }

  public boolean hasPosition() {
    return line > 0;
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /**
   * {@code file:line:column: path: message}; without a position {@code file: message}; a warning's message starts
   * with {@code warning: }.
   */
  public String format() {
    StringBuilder s = new StringBuilder(file);
    if (hasPosition()) s.append(':').append(line).append(':').append(column);
    s.append(": ");
    if (!path.isEmpty()) s.append(path).append(": ");
    if (severity == Severity.WARNING) s.append("warning: ");
    return s.append(message).toString();
  }
}

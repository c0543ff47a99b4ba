package ai.dynamo.deploy.ir;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/** Collects the problems of one file; hands them out ordered by position (file-level problems first). */
final class Problems {
  private final String file;
  private final List<Problem> list = new ArrayList<>();
  private int errors;

  Problems(String file) {
    this.file = file;
  }

  String file() {
    return file;
  }

  void error(Node at, String path, String message) {
    errors++;
    list.add(Problem.error(file, line(at), column(at), path, message));
  }

  void warning(Node at, String path, String message) {
    list.add(Problem.warning(file, line(at), column(at), path, message));
  }

  void errorAt(int line, int column, String path, String message) {
    errors++;
    list.add(Problem.error(file, line, column, path, message));
  }

  void fileError(String message) {
    errors++;
    list.add(Problem.fileError(file, message));
  }

  int errorCount() {
    return errors;
  }

  boolean hasErrors() {
    return errors > 0;
  }

  /** Stable order: by line, then column; equal positions keep the order they were found in. */
  List<Problem> sorted() {
    List<Problem> out = new ArrayList<>(list);
    out.sort(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
    return out;
  }

  /**
   * {@link #sorted()}, cut to the first {@code max} with a last line saying how many more there are: a file with
   * thousands of mistakes is generated or hostile, and a screenful tells the user what they need.
   */
  List<Problem> sorted(int max) {
    List<Problem> all = sorted();
    if (all.size() <= max) return all;
    List<Problem> out = new ArrayList<>(all.subList(0, max));
    long errors = all.subList(max, all.size()).stream().filter(Problem::isError).count();
    out.add(new Problem(errors > 0 ? Problem.Severity.ERROR : Problem.Severity.WARNING, file, 0, 0, "",
        (all.size() - max) + " more problems not shown (only the first " + max + " are listed)"));
    return out;
  }

  static int line(Node n) {
    return n == null ? 0 : n.getStartMark().getLine() + 1;
  }

  static int column(Node n) {
    return n == null ? 0 : n.getStartMark().getColumn() + 1;
  }

  /** "line 4, column 5", for messages that point at a second place. */
  static String where(Node n) {
    return "line " + line(n) + ", column " + column(n);
  }
}

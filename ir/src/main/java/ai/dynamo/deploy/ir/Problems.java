package ai.dynamo.deploy.ir;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/** Collects the problems of one file; hands them out ordered by position (file-level problems first). */
final class Problems {
  private final String file;
  private final List<Problem> list = new ArrayList<>();

  Problems(String file) {
    this.file = file;
  }

  String file() {
    return file;
  }

  void error(Node at, String path, String message) {
    list.add(Problem.error(file, line(at), column(at), path, message));
  }

  void warning(Node at, String path, String message) {
    list.add(Problem.warning(file, line(at), column(at), path, message));
  }

  void errorAt(int line, int column, String path, String message) {
    list.add(Problem.error(file, line, column, path, message));
  }

  void fileError(String message) {
    list.add(Problem.fileError(file, message));
  }

  int errorCount() {
    return (int) list.stream().filter(Problem::isError).count();
  }

  boolean hasErrors() {
    return list.stream().anyMatch(Problem::isError);
  }

  /** Stable order: by line, then column; equal positions keep the order they were found in. */
  List<Problem> sorted() {
    List<Problem> out = new ArrayList<>(list);
    out.sort(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
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

package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.workflows.DeployProgress;
import java.io.PrintWriter;

/** Shows a deploy's progress while waiting: a redrawn table on a terminal, plain lines otherwise. */
public interface ProgressView {
  /** Called with every polled progress; implementations print only what changed. */
  void show(DeployProgress progress);

  /** A one-off note (waiting for a worker, reconnecting). Printed once per distinct text. */
  void note(String text);

  /**
   * The view for this output: {@link TableView} when {@code interactive} (a console, TERM not {@code dumb}),
   * {@link LineView} otherwise.
   */
  static ProgressView forOutput(PrintWriter out, boolean interactive) {
    return interactive ? new TableView(out) : new LineView(out);
  }

  /** Whether this process writes to an interactive terminal that understands cursor movement. */
  static boolean interactiveTerminal() {
    String term = System.getenv("TERM");
    return System.console() != null && term != null && !term.isBlank() && !term.equals("dumb");
  }
}

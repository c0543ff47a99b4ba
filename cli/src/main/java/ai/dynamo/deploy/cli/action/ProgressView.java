package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.client.DeployWatcher;
import java.io.PrintWriter;

/** Shows a deploy's progress while waiting: a redrawn table on a terminal, plain lines otherwise. */
public interface ProgressView extends DeployWatcher.Listener {

  /**
   * The view for this output: {@link TableView} when {@code interactive} (a console, TERM not {@code dumb}),
   * {@link LineView} otherwise.
   */
  static ProgressView forOutput(PrintWriter out, boolean interactive) {
    return interactive ? new TableView(out) : new LineView(out);
  }

  /** Whether this process writes to an interactive terminal that understands cursor movement. */
  static boolean interactiveTerminal() {
    return Terminal.interactive(System.console() != null, System.getenv("TERM"));
  }
}

package ai.dynamo.deploy.cli.action;

/** The one rule for "an interactive terminal": shared by a command run here and the daemon's thin client. */
public final class Terminal {
  private Terminal() {}

  /**
   * Whether output goes to a terminal that understands cursor movement: there is a console, and TERM is set and
   * not {@code dumb}.
   */
  public static boolean interactive(boolean console, String term) {
    return console && term != null && !term.isBlank() && !term.equals("dumb");
  }
}

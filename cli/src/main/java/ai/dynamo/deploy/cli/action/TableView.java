package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.workflows.ComponentChange;
import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployProgress;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A table redrawn in place (ANSI cursor movement) with a progress bar per component, for terminals. */
public final class TableView implements ProgressView {
  private static final int BAR_WIDTH = 20;
  private static final int MESSAGE_WIDTH = 60;

  private final PrintWriter out;
  private int linesDrawn;
  private String note;

  public TableView(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void show(DeployProgress progress) {
    List<String> lines = render(progress, note);
    // Move up over the previous drawing and clear to the end of the screen, then draw again.
    if (linesDrawn > 0) out.print("\u001b[" + linesDrawn + "A\u001b[J");
    lines.forEach(out::println);
    out.flush();
    linesDrawn = lines.size();
  }

  @Override
  public void note(String text) {
    note = text;
  }

  /** The table as lines (no escape codes); also what {@code dynamo deploy status} prints. */
  public static List<String> render(DeployProgress p, String note) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "deploy " + p.graph() + " -> " + p.target() + "   " + p.phase()
            + (p.revision() > 0 ? "   revision " + p.revision() : ""));
    if (p.message() != null && !p.message().isBlank()) lines.add(p.message());
    if (note != null) lines.add(note);
    int nameWidth = "COMPONENT".length();
    int phaseWidth = "PHASE".length();
    int changeWidth = 0;
    for (ComponentProgress c : p.components()) {
      nameWidth = Math.max(nameWidth, c.name().length());
      phaseWidth = Math.max(phaseWidth, c.phase().name().length());
      changeWidth = Math.max(changeWidth, ComponentChange.label(c.change()).length());
    }
    // The CHANGE column (unchanged, updated (recreate), added, removed) only for deploys that planned per component.
    String change = changeWidth == 0 ? "%s" : "%-" + Math.max("CHANGE".length(), changeWidth) + "s  ";
    String format = "%-" + nameWidth + "s  " + change + "%-" + phaseWidth + "s  %7s  %-" + (BAR_WIDTH + 2) + "s  %s";
    lines.add(String.format(format, "COMPONENT", changeWidth == 0 ? "" : "CHANGE", "PHASE", "READY", "PROGRESS",
        "MESSAGE").stripTrailing());
    for (ComponentProgress c : p.components()) {
      lines.add(
          String.format(format, c.name(), ComponentChange.label(c.change()), c.phase(), c.ready() + "/" + c.desired(),
                  bar(c.ready(), c.desired()), clip(c.message()))
              .stripTrailing());
    }
    for (ComponentProgress c : p.components()) {
      if (c.change().contains(": ")) lines.add(c.name() + ": " + c.change());
    }
    return lines;
  }

  static String bar(int ready, int desired) {
    int filled = desired <= 0 ? 0 : (int) Math.round((double) BAR_WIDTH * Math.min(ready, desired) / desired);
    return "[" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "]";
  }

  private static String clip(String s) {
    if (s == null) return "";
    String one = s.replace('\n', ' ');
    return one.length() <= MESSAGE_WIDTH ? one : one.substring(0, MESSAGE_WIDTH - 3) + "...";
  }
}

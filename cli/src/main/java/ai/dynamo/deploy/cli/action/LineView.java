package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.workflows.ComponentChange;
import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployProgress;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One plain line per change, for CI logs and pipes: the deploy's phase when it changes, a component's planned
 * change with its reason once ({@code decode: updated (recreate): ...; auto: recreate, the cluster has no room ...}),
 * and a component's line when its phase, counts or message change.
 */
public final class LineView implements ProgressView {
  private final PrintWriter out;
  private final Map<String, String> lastComponentLine = new HashMap<>();
  private final Map<String, String> shownChange = new HashMap<>();
  private String lastDeployLine;
  private String lastNote;

  public LineView(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void show(DeployProgress progress) {
    String deployLine =
        "deploy " + progress.graph() + " -> " + progress.target() + ": " + progress.phase()
            + (progress.revision() > 0 ? " (revision " + progress.revision() + ")" : "")
            + (blank(progress.message()) ? "" : ": " + progress.message());
    if (!deployLine.equals(lastDeployLine)) {
      out.println(deployLine);
      lastDeployLine = deployLine;
    }
    for (ComponentProgress c : progress.components()) {
      if (c.change().contains(": ") && !Objects.equals(shownChange.put(c.name(), c.change()), c.change())) {
        out.println("  " + c.name() + ": " + c.change());
      }
      String line =
          "  " + c.name() + ": " + c.phase() + " " + c.ready() + "/" + c.desired()
              + (blank(c.change()) ? "" : " [" + ComponentChange.label(c.change()) + "]")
              + (blank(c.message()) ? "" : ": " + c.message());
      if (!Objects.equals(lastComponentLine.put(c.name(), line), line)) out.println(line);
    }
    out.flush();
  }

  @Override
  public void note(String text) {
    if (!text.equals(lastNote)) {
      out.println(text);
      out.flush();
      lastNote = text;
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}

package ai.dynamo.deploy.cli.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.workflows.ComponentPhase;
import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.Phase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressViewTest {
  static DeployProgress progress(Phase phase, int ready, String message) {
    return new DeployProgress("g", "k8s@default", phase, 2, "", List.of(
        new ComponentProgress("frontend", ComponentPhase.READY, 2, 2, "", 1),
        new ComponentProgress("worker", ComponentPhase.WAITING, ready, 4, message, 1)), 1, 2);
  }

  @Test
  void theTableHasABarPerComponent() {
    List<String> lines = TableView.render(progress(Phase.WAITING, 1, "pod worker-1: Pending"), null);
    assertEquals("deploy g -> k8s@default   WAITING   revision 2", lines.get(0));
    assertTrue(lines.get(1).startsWith("COMPONENT"), lines.get(1));
    assertTrue(lines.get(2).contains("[####################]"), lines.get(2));
    assertTrue(lines.get(3).contains("1/4  [#####               ]  pod worker-1: Pending"), lines.get(3));
  }

  @Test
  void theTableRedrawsInPlace() {
    StringWriter text = new StringWriter();
    TableView view = new TableView(new PrintWriter(text, true));
    view.show(progress(Phase.WAITING, 1, ""));
    view.show(progress(Phase.WAITING, 2, ""));
    assertTrue(text.toString().contains("\u001b[4A\u001b[J"), "moves up over the 4 lines drawn before");
  }

  @Test
  void linesAppearOnlyForChanges() {
    StringWriter text = new StringWriter();
    LineView view = new LineView(new PrintWriter(text, true));
    view.show(progress(Phase.WAITING, 1, "pending"));
    view.show(progress(Phase.WAITING, 1, "pending"));
    view.show(progress(Phase.WAITING, 3, "pending"));
    assertEquals(List.of(
        "deploy g -> k8s@default: WAITING (revision 2)",
        "  frontend: READY 2/2",
        "  worker: WAITING 1/4: pending",
        "  worker: WAITING 3/4: pending"), text.toString().lines().toList());
  }
}

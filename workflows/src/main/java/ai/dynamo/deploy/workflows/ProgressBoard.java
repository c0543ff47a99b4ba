package ai.dynamo.deploy.workflows;

import ai.dynamo.deploy.ir.Component;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The workflow's view of a deploy while it runs: overall phase and, per component, phase, counts and the last
 * message. Plain mutable state owned by the workflow thread; {@link #snapshot} is what the progress query returns
 * and {@link #markdown} is what the Temporal UI shows as current details.
 */
final class ProgressBoard {
  /** Rows shown in the Markdown table; the rest are summarised in one line to keep details small. */
  static final int MARKDOWN_ROWS = 25;

  private final String graph;
  private final String target;
  private final long startedEpochMillis;
  private final Map<String, ComponentProgress> components = new LinkedHashMap<>();
  private Phase phase = Phase.VALIDATING;
  private int revision;
  private String message = "";
  private long updatedEpochMillis;

  ProgressBoard(DeployRequest request, long now) {
    this.graph = request.graph().name();
    this.target = TargetLabels.of(request.target());
    this.startedEpochMillis = now;
    this.updatedEpochMillis = now;
    for (Component c : request.graph().components()) {
      int desired = Stage.ALL.units(c);
      components.put(c.name(), new ComponentProgress(c.name(), ComponentPhase.PENDING, 0, desired, "", now));
    }
  }

  String graph() {
    return graph;
  }

  String target() {
    return target;
  }

  Phase phase() {
    return phase;
  }

  int revision() {
    return revision;
  }

  void phase(Phase phase, String message, long now) {
    this.phase = phase;
    this.message = message == null ? "" : message;
    this.updatedEpochMillis = now;
  }

  void message(String message, long now) {
    this.message = message == null ? "" : message;
    this.updatedEpochMillis = now;
  }

  void revision(int revision, long now) {
    this.revision = revision;
    this.updatedEpochMillis = now;
  }

  ComponentProgress component(String name) {
    return components.get(name);
  }

  /** Sets a component's state; {@code since} moves only when the phase changes. */
  void component(String name, ComponentPhase phase, int ready, int desired, String message, long now) {
    ComponentProgress old = components.get(name);
    long since = old != null && old.phase() == phase ? old.sinceEpochMillis() : now;
    String text = message == null ? (old == null ? "" : old.message()) : message;
    String change = old == null ? "" : old.change();
    components.put(name, new ComponentProgress(name, phase, ready, desired, text, since, change));
    updatedEpochMillis = now;
  }

  /**
   * What the deploy does to each component: its change label; an unchanged component is READY at once (adopted as it
   * runs), a removed one gets a row of its own (PENDING until the new revision is recorded).
   */
  void planned(UpdatePlan plan, long now) {
    for (ComponentChange c : plan.components()) {
      ComponentProgress old = components.get(c.component());
      if (c.kind() == ChangeKind.REMOVE) {
        components.put(c.component(), new ComponentProgress(c.component(), ComponentPhase.PENDING, 0, 0,
            "deleted once the new revision is ready", now, c.described()));
      } else if (old != null) {
        ComponentPhase phase = c.kind() == ChangeKind.UNCHANGED ? ComponentPhase.READY : old.phase();
        int ready = c.kind() == ChangeKind.UNCHANGED ? old.desired() : old.ready();
        String message = c.kind() == ChangeKind.UNCHANGED
            ? "unchanged: runs as before (revision " + c.liveRevision() + ")" : c.reason();
        components.put(c.component(), new ComponentProgress(c.component(), phase, ready, old.desired(), message,
            now, c.described()));
      }
    }
    updatedEpochMillis = now;
  }

  /** Moves a component to a new phase keeping its counts and message. */
  void component(String name, ComponentPhase phase, long now) {
    ComponentProgress old = components.get(name);
    component(name, phase, old.ready(), old.desired(), null, now);
  }

  DeployProgress snapshot() {
    return new DeployProgress(
        graph,
        target,
        phase,
        revision,
        message,
        new ArrayList<>(components.values()),
        startedEpochMillis,
        updatedEpochMillis);
  }

  /** A small Markdown table for {@code Workflow.setCurrentDetails}. */
  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("**").append(phase).append("**");
    if (revision > 0) md.append(" · rev ").append(revision);
    md.append(" · ").append(graph).append(" → ").append(target).append('\n');
    if (!message.isEmpty()) md.append('\n').append(escape(message)).append('\n');
    boolean changes = components.values().stream().anyMatch(c -> !c.change().isEmpty());
    md.append(changes ? "\n| component | change | phase | ready | message |\n|---|---|---|---|---|\n"
        : "\n| component | phase | ready | message |\n|---|---|---|---|\n");
    List<ComponentProgress> all = new ArrayList<>(components.values());
    for (int i = 0; i < Math.min(MARKDOWN_ROWS, all.size()); i++) {
      ComponentProgress c = all.get(i);
      md.append("| ")
          .append(escape(c.name()))
          .append(" | ")
          .append(changes ? escape(ComponentChange.label(c.change())) + " | " : "")
          .append(c.phase())
          .append(" | ")
          .append(c.ready())
          .append('/')
          .append(c.desired())
          .append(" | ")
          .append(escape(c.message()))
          .append(" |\n");
    }
    if (all.size() > MARKDOWN_ROWS) {
      long ready = all.stream().filter(c -> c.phase() == ComponentPhase.READY).count();
      md.append("\n").append(all.size() - MARKDOWN_ROWS).append(" more components; ");
      md.append(ready).append(" of ").append(all.size()).append(" ready in total\n");
    }
    return md.toString();
  }

  private static String escape(String s) {
    String oneLine = s.replace('\n', ' ').replace("|", "\\|");
    return oneLine.length() > 120 ? oneLine.substring(0, 117) + "..." : oneLine;
  }
}

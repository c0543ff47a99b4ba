package ai.dynamo.deploy.workflows;

import java.util.List;

/**
 * What a deploy would do, per component, compared with the live revision: the result of the {@code PlanUpdate}
 * activity (the deploy) and of the {@code Diff} activity ({@code dynamo deploy diff}), one planning for both.
 *
 * @param liveRevision the live revision (0 on a first install)
 * @param components one change per component of the graph, in graph order, then the removals
 * @param notes what the planning wants the user to know (e.g. why the live revision counts as unhealthy)
 */
public record UpdatePlan(int liveRevision, List<ComponentChange> components, List<String> notes) {
  public UpdatePlan {
    components = List.copyOf(components);
    notes = notes == null ? List.of() : List.copyOf(notes);
  }

  /** Nothing changed and the live revision is healthy: the deploy ends READY at once and records nothing. */
  public boolean nothingToDo() {
    return liveRevision > 0 && components.stream().allMatch(c -> c.kind() == ChangeKind.UNCHANGED);
  }

  /** The change of {@code name}, or null when the plan does not mention it. */
  public ComponentChange change(String name) {
    return components.stream().filter(c -> c.component().equals(name)).findFirst().orElse(null);
  }

  /** Names of the components of {@code kind}, in plan order. */
  public List<String> names(ChangeKind kind) {
    return components.stream().filter(c -> c.kind() == kind).map(ComponentChange::component).toList();
  }

  /** One line: {@code 1 unchanged, 1 update (recreate), 0 add, 0 remove}. */
  public String summary() {
    StringBuilder s = new StringBuilder();
    for (ChangeKind k : ChangeKind.values()) {
      long n = components.stream().filter(c -> c.kind() == k).count();
      if (n == 0) continue;
      if (s.length() > 0) s.append(", ");
      s.append(n).append(' ').append(k.done());
    }
    return s.length() == 0 ? "no components" : s.toString();
  }
}

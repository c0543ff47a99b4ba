package ai.dynamo.deploy.workflows;

import java.util.List;

/**
 * The answer of {@code dynamo deploy diff}: the update plan a deploy of the request would follow (the very planning
 * the deploy uses), and per changed component a unified diff of its rendered files against the live revision's.
 * Rendered files hold secret references only, never values, so neither does this.
 *
 * @param plan per component: unchanged, update (strategy), add, remove
 * @param diffs per component that is not unchanged, the unified diff ({@code --- live rev N}, {@code +++ new})
 * @param warnings render warnings, and a note when diffs were cut to keep the answer small
 */
public record DeployDiff(UpdatePlan plan, List<ComponentDiff> diffs, List<String> warnings) {
  public DeployDiff {
    diffs = List.copyOf(diffs);
    warnings = List.copyOf(warnings);
  }

  /** @param component component name; @param unified its unified diff (empty when the files are equal) */
  public record ComponentDiff(String component, String unified) {}

  /** Whether a deploy would change anything (the exit code of diff: 0 none, 1 some). */
  public boolean changes() {
    return !plan.nothingToDo();
  }
}

package ai.dynamo.deploy.workflows;

/** What a deploy does to one component, compared with the live revision. */
public enum ChangeKind {
  /** same spec as the live revision and healthy: adopted into the new revision as it runs, never touched */
  UNCHANGED("unchanged", "unchanged"),
  /** the spec changed (or the live copy is unhealthy): replaced with its {@link UpdateStrategy} */
  UPDATE("update", "updated"),
  /** not in the live revision: created */
  ADD("add", "added"),
  /** in the live revision, not in the graph: deleted once the new revision is READY */
  REMOVE("remove", "removed");

  private final String verb;
  private final String done;

  ChangeKind(String verb, String done) {
    this.verb = verb;
    this.done = done;
  }

  /** As {@code dynamo deploy diff} prints it: unchanged, update, add, remove. */
  public String verb() {
    return verb;
  }

  /** As status and the Temporal UI show it: unchanged, updated, added, removed. */
  public String done() {
    return done;
  }
}

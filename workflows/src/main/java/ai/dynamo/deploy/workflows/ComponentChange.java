package ai.dynamo.deploy.workflows;

/**
 * The update planning's word on one component (docs/workflow.md "Per-component updates").
 *
 * @param component component name
 * @param kind unchanged, update, add or remove
 * @param strategy for {@link ChangeKind#UPDATE}: the effective strategy (never {@link UpdateStrategy#AUTO}); null
 *     otherwise
 * @param reason why: the auto choice's reason, what made a component count as changed, or how the live copy is
 * @param digest the component's spec digest in this request ({@code ComponentDigests}); empty for a removal
 * @param liveDigest the digest the live revision runs; empty when none is known
 * @param liveRevision the revision whose files and jobs/objects run the component now (0 when none): an unchanged
 *     component may run from an older revision than the live one
 * @param avoid nodes the new copy must not use (Slurm {@code --exclude}), comma-separated; empty for none
 */
public record ComponentChange(
    String component,
    ChangeKind kind,
    UpdateStrategy strategy,
    String reason,
    String digest,
    String liveDigest,
    int liveRevision,
    String avoid) {

  public ComponentChange {
    reason = reason == null ? "" : reason;
    digest = digest == null ? "" : digest;
    liveDigest = liveDigest == null ? "" : liveDigest;
    avoid = avoid == null ? "" : avoid;
  }

  /**
   * The change as a step needs it (strategy, nodes to avoid, live revision): without the reason and digests, so that
   * every apply and wait input stays small.
   */
  public ComponentChange forStep() {
    return new ComponentChange(component, kind, strategy, "", "", "", liveRevision, avoid);
  }

  public boolean recreates() {
    return kind == ChangeKind.UPDATE && strategy == UpdateStrategy.RECREATE;
  }

  /** A blue/green replacement: the old copy keeps running until the new revision is READY. */
  public boolean blueGreen() {
    return kind == ChangeKind.UPDATE && strategy == UpdateStrategy.BLUE_GREEN;
  }

  /** {@code update (recreate)}, {@code add}, ... as {@code diff} prints it. */
  public String verb() {
    return kind == ChangeKind.UPDATE && strategy != null ? "update (" + strategy.label() + ")" : kind.verb();
  }

  /** {@code updated (recreate)}, {@code unchanged}, ... as status shows it. */
  public String done() {
    return kind == ChangeKind.UPDATE && strategy != null ? "updated (" + strategy.label() + ")" : kind.done();
  }

  /** {@link #done}, and for an update why and why this strategy: what progress and the UI carry per component. */
  public String described() {
    return kind == ChangeKind.UPDATE && !reason.isEmpty() ? done() + ": " + reason : done();
  }

  /** The short label of a {@link #described} text (up to its first ": "), for table columns. */
  public static String label(String described) {
    int colon = described == null ? -1 : described.indexOf(": ");
    return described == null ? "" : colon < 0 ? described : described.substring(0, colon);
  }
}

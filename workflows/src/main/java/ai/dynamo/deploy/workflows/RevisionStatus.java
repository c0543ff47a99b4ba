package ai.dynamo.deploy.workflows;

/** What became of a revision, as a target's own records keep it (like {@code helm history}'s STATUS). */
public enum RevisionStatus {
  /** live now */
  READY,
  /** was live, replaced by a later revision */
  SUPERSEDED,
  /** failed and was rolled back (the number is reused by the next deploy) */
  ROLLED_BACK,
  /** failed and left as it was (aborted, or its rollback failed) */
  FAILED,
  /** was live until {@code dynamo deploy uninstall} removed it (kept as history; the next deploy is a fresh install) */
  UNINSTALLED
}

package ai.dynamo.deploy.testing.fake;

import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RevisionStatus;
import java.util.ArrayList;
import java.util.List;

/** The fake target's history, kept like the real targets keep theirs: what {@code dynamo deploy history} lists. */
final class FakeHistory {
  private FakeHistory() {}

  /** A revision became live: it replaces an entry of the same number; the live one before is superseded. */
  static void ready(FakeState s, RevisionRecord record, String note) {
    List<RevisionEntry> history = new ArrayList<>();
    for (RevisionEntry e : s.history) {
      if (e.revision() == record.revision()) continue;
      history.add(e.status() == RevisionStatus.READY ? withStatus(e, RevisionStatus.SUPERSEDED, e.note()) : e);
    }
    history.add(new RevisionEntry(record.revision(), record.epochMillis(), record.specDigest(), RevisionStatus.READY,
        record.startedBy(), note, record.workflowId(), record.runId()));
    s.history = history;
  }

  /** A failed revision was rolled back; a live entry of that number is never replaced. */
  static void rolledBack(FakeState s, RevisionEntry entry) {
    s.history.removeIf(e -> e.revision() == entry.revision() && e.status() != RevisionStatus.READY);
    s.history.add(entry);
  }

  /** Nothing is live any more: the live entry says so (kept), or every record goes. */
  static void uninstalled(FakeState s, String note, long at, boolean keep) {
    s.history.replaceAll(e -> e.status() != RevisionStatus.READY ? e
        : new RevisionEntry(e.revision(), at, e.specDigest(), RevisionStatus.UNINSTALLED, e.startedBy(), note,
            e.workflowId(), e.runId()));
    if (!keep) {
      s.history.clear();
      s.specs.clear();
    }
    s.liveRevision = 0;
  }

  /** The highest revision that was live (a failed revision's number is reused). */
  static int last(FakeState s) {
    return s.history.stream()
        .filter(e -> e.status() != RevisionStatus.ROLLED_BACK && e.status() != RevisionStatus.FAILED)
        .mapToInt(RevisionEntry::revision).max().orElse(0);
  }

  private static RevisionEntry withStatus(RevisionEntry e, RevisionStatus status, String note) {
    return new RevisionEntry(e.revision(), e.epochMillis(), e.specDigest(), status, e.startedBy(), note,
        e.workflowId(), e.runId());
  }
}

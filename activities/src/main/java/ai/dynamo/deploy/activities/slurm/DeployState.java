package ai.dynamo.deploy.activities.slurm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The graph's record on the cluster ({@code <graph dir>/state.json}): which revision is live and its jobs, and the
 * history of revisions, so {@code dynamo} and a human can see and roll back without Temporal.
 *
 * @param graph graph name
 * @param currentRevision the live revision, 0 when none
 * @param history every revision recorded, oldest first
 */
public record DeployState(String graph, int currentRevision, List<Entry> history) {
  public DeployState {
    history = List.copyOf(history);
  }

  /** Status of a revision in the history. */
  public enum Status { READY, SUPERSEDED, FAILED, ROLLED_BACK, UNINSTALLED }

  /**
   * @param revision revision number
   * @param status what became of it
   * @param jobs job ID per replica ({@code <component>-<replica>}, as the job directory is named)
   * @param specDigest digest of graph plus settings
   * @param workflowId the deploy's workflow ID
   * @param runId the deploy's run ID
   * @param startedBy who started the deploy
   * @param epochMillis when this entry was written
   * @param note why (for FAILED and ROLLED_BACK)
   * @param components per component: the digest it runs, the revision whose files run it (an unchanged component
   *     adopted into this revision keeps its older revision and jobs), and its jobs; empty in records written before
   *     per-component updates
   */
  public record Entry(int revision, Status status, Map<String, String> jobs, String specDigest, String workflowId,
      String runId, String startedBy, long epochMillis, String note, Map<String, ComponentRecord> components) {
    public Entry {
      jobs = new TreeMap<>(jobs);
      components = components == null ? new TreeMap<>() : new TreeMap<>(components);
    }

    public Entry(int revision, Status status, Map<String, String> jobs, String specDigest, String workflowId,
        String runId, String startedBy, long epochMillis, String note) {
      this(revision, status, jobs, specDigest, workflowId, runId, startedBy, epochMillis, note, null);
    }

    /** The same entry with one component's record replaced (a rollback re-submitted it). */
    public Entry withComponent(String name, ComponentRecord record) {
      Map<String, ComponentRecord> c = new TreeMap<>(components);
      c.put(name, record);
      Map<String, String> j = new TreeMap<>(jobs);
      j.putAll(record.jobs());
      return new Entry(revision, status, j, specDigest, workflowId, runId, startedBy, epochMillis, note, c);
    }
  }

  /**
   * One component of a revision.
   *
   * @param digest its component digest ({@code ComponentDigests})
   * @param revision the revision directory ({@code rev-N/}) holding its scripts, where its jobs were submitted
   * @param jobs job ID per replica ({@code <component>-<replica>})
   */
  public record ComponentRecord(String digest, int revision, Map<String, String> jobs) {
    public ComponentRecord {
      jobs = new TreeMap<>(jobs);
    }
  }

  public static DeployState empty(String graph) {
    return new DeployState(graph, 0, List.of());
  }

  /** The entry of the live revision, or null. */
  public Entry current() {
    return entry(currentRevision);
  }

  public Entry entry(int revision) {
    for (int i = history.size() - 1; i >= 0; i--) {
      if (history.get(i).revision() == revision) return history.get(i);
    }
    return null;
  }

  /**
   * The highest revision that was live (READY, SUPERSEDED, UNINSTALLED): the next deploy numbers on after it (a
   * failed revision's number is reused).
   */
  public int lastRevision() {
    return history.stream()
        .filter(e -> e.status() != Status.ROLLED_BACK && e.status() != Status.FAILED)
        .mapToInt(Entry::revision).max().orElse(0);
  }

  /** {@code entry} becomes live; the previously live revision becomes SUPERSEDED. Replaces an entry of the same revision. */
  public DeployState withReady(Entry entry) {
    List<Entry> h = new ArrayList<>();
    for (Entry e : history) {
      if (e.revision() == entry.revision()) continue;
      h.add(e.revision() == currentRevision && e.status() == Status.READY ? withStatus(e, Status.SUPERSEDED) : e);
    }
    h.add(entry);
    return new DeployState(graph, entry.revision(), h);
  }

  /** Records a failed or rolled-back revision; the live revision stays. */
  public DeployState withFailed(Entry entry) {
    List<Entry> h = new ArrayList<>(history.stream().filter(e -> e.revision() != entry.revision()
        || e.revision() == currentRevision).toList());
    if (entry.revision() != currentRevision) h.add(entry);
    return new DeployState(graph, currentRevision, h);
  }

  /**
   * {@code dynamo deploy uninstall}: nothing is live any more; the live revision's entry says UNINSTALLED with
   * {@code note} and when. The history stays, so the next deploy numbers on after {@link #lastRevision}.
   */
  public DeployState withUninstalled(String note, long epochMillis) {
    List<Entry> h = new ArrayList<>();
    for (Entry e : history) {
      h.add(e.revision() == currentRevision && e.status() == Status.READY
          ? new Entry(e.revision(), Status.UNINSTALLED, e.jobs(), e.specDigest(), e.workflowId(), e.runId(),
              e.startedBy(), epochMillis, note)
          : e);
    }
    return new DeployState(graph, 0, h);
  }

  private static Entry withStatus(Entry e, Status s) {
    return new Entry(e.revision(), s, e.jobs(), e.specDigest(), e.workflowId(), e.runId(), e.startedBy(),
        e.epochMillis(), e.note(), e.components());
  }

  /** The live entry with one component's record replaced (a rollback re-submitted it from its kept files). */
  public DeployState withCurrentComponent(String name, ComponentRecord record) {
    List<Entry> h = new ArrayList<>();
    for (Entry e : history) h.add(e.revision() == currentRevision ? e.withComponent(name, record) : e);
    return new DeployState(graph, currentRevision, h);
  }
}

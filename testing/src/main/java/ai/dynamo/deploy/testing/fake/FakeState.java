package ai.dynamo.deploy.testing.fake;

import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RevisionSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the fake target "runs" for one graph at one place: the live revision, the revision records, and per
 * component the revision it runs and when each stage was applied. Plain mutable data, serialised as JSON when the
 * target keeps its state in a directory.
 */
public final class FakeState {
  public int liveRevision;
  public List<RevisionRecord> revisions = new ArrayList<>();
  /** component name -> what runs */
  public Map<String, Unit> units = new LinkedHashMap<>();
  /** revision -> the components it consisted of, for rollback */
  public Map<Integer, List<String>> revisionComponents = new LinkedHashMap<>();
  /** the history as {@code dynamo deploy history} shows it, oldest first */
  public List<RevisionEntry> history = new ArrayList<>();
  /** revision -> what was deployed, for rollback --to-revision */
  public Map<Integer, RevisionSpec> specs = new LinkedHashMap<>();
  /**
   * components whose scripted failure ({@code fake.failComponent}) is fixed, as if an operator had repaired the
   * cause (freed a node, fixed a Secret): they stop failing. Tests set it with {@code FakeTarget.fix}; with a state
   * directory, editing {@code fake-state.json} does the same.
   */
  public Set<String> fixed = new TreeSet<>();

  /** One component as the fake target runs it. */
  public static final class Unit {
    public int revision;
    /** stage name -> when it was applied (epoch millis, worker clock) */
    public Map<String, Long> appliedAt = new LinkedHashMap<>();
    /** the spec digest of the deploy that applied it */
    public String specDigest = "";

    public Unit() {}

    Unit(int revision) {
      this.revision = revision;
    }
  }
}

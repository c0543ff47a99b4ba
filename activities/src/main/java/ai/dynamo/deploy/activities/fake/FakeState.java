package ai.dynamo.deploy.activities.fake;

import ai.dynamo.deploy.workflows.RevisionRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  /** One component as the fake target runs it. */
  public static final class Unit {
    public int revision;
    /** stage name -> when it was applied (epoch millis, worker clock) */
    public Map<String, Long> appliedAt = new LinkedHashMap<>();

    public Unit() {}

    Unit(int revision) {
      this.revision = revision;
    }
  }
}

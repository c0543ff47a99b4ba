package ai.dynamo.deploy.testing.fake;

import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RevisionSpec;
import ai.dynamo.deploy.workflows.Stage;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the fake target runs per component and revision ({@link FakeState}'s units and revision records), changed as a
 * real target changes its objects: an apply writes a component's unit for its revision and spec, recording a revision
 * makes it live and drops what other revisions ran, a rollback brings back what the previous revision ran. Apart from
 * {@link FakeTarget} so the target reads as its calls and scripting; the history entries are {@link FakeHistory}'s.
 * Plain functions of one state: the target holds its lock around them and saves.
 */
final class FakeRevisions {
  private FakeRevisions() {}

  /** Per running component, {@code value} of its unit (its revision, its spec digest), by component name. */
  static <T> Map<String, T> running(FakeState s, Function<FakeState.Unit, T> value) {
    return s.units.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> value.apply(e.getValue()), (a, b) -> a, TreeMap::new));
  }

  /** An apply of {@code stage}: a unit of another revision or spec is replaced by one of this revision and spec. */
  static void applied(FakeState s, String component, int revision, String specDigest, Stage stage, Clock clock) {
    FakeState.Unit unit = s.units.get(component);
    if (unit == null || unit.revision != revision || !unit.specDigest.equals(specDigest)) {
      unit = new FakeState.Unit(revision);
      unit.specDigest = specDigest;
      s.units.put(component, unit);
    }
    // Idempotent: a repeated apply of the same stage keeps the first time, as a real object would.
    unit.appliedAt.putIfAbsent(stage.name(), clock.millis());
  }

  /** When {@code stage} of the component was applied for {@code revision}; null when it was not. */
  static Long appliedAt(FakeState s, String component, int revision, Stage stage) {
    FakeState.Unit unit = s.units.get(component);
    return unit == null || unit.revision != revision ? null : unit.appliedAt.get(stage.name());
  }

  /** Whether {@code stage} of the component was applied for {@code revision} by a request with this spec. */
  static boolean isCurrent(FakeState s, String component, int revision, String specDigest, Stage stage) {
    FakeState.Unit unit = s.units.get(component);
    return unit != null && unit.revision == revision
        && unit.specDigest.equals(specDigest) && unit.appliedAt.containsKey(stage.name());
  }

  /** {@code record}'s revision, of {@code components}, is live; what other revisions ran is gone. */
  static void recorded(FakeState s, RevisionRecord record, List<String> components) {
    s.revisions.removeIf(r -> r.revision() == record.revision());
    s.revisions.add(record);
    s.liveRevision = record.revision();
    s.revisionComponents.put(record.revision(), components);
    s.units.values().removeIf(u -> u.revision != record.revision());
  }

  /**
   * Like re-applying the previous revision's objects: what it had comes back (applied now), what only the failed one
   * had goes; the previous revision is live again (0: none).
   */
  static void rolledBack(FakeState s, int failedRevision, int previousRevision, Clock clock) {
    List<String> previous = s.revisionComponents.getOrDefault(previousRevision, List.of());
    for (String name : List.copyOf(s.units.keySet())) {
      FakeState.Unit unit = s.units.get(name);
      if (unit.revision != failedRevision) continue;
      if (previous.contains(name)) {
        FakeState.Unit restored = new FakeState.Unit(previousRevision);
        RevisionSpec spec = s.specs.get(previousRevision);
        restored.specDigest = spec == null ? "" : spec.specDigest();
        restored.appliedAt.put(Stage.ALL.name(), clock.millis());
        s.units.put(name, restored);
      } else {
        s.units.remove(name);
      }
    }
    s.liveRevision = previousRevision;
  }
}

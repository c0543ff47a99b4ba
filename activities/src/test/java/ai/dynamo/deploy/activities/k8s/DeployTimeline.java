package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.testing.k8s.ApplyingCrudDispatcher;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where one deploy's time went, for {@link K8sDeployMockBenchmark}: from the run's Temporal history, the time until
 * the first readiness wait (validate, plan, preflight, update plan, the first applies, which run as local activities), each activity type's queueing and run time, the time
 * after the last readiness wait (revision record, end); and the deployer's API requests on the mock by method and
 * resource. Not a test.
 */
final class DeployTimeline {
  private DeployTimeline() {}

  /** Milliseconds of the phases of a run and of its activities, by name. */
  static Map<String, String> phases(List<HistoryEvent> events) {
    long start = millis(events.get(0));
    long firstApply = -1;
    long lastWait = -1;
    long end = millis(events.get(events.size() - 1));
    Map<Long, String> types = new HashMap<>();
    Map<Long, Long> scheduled = new HashMap<>();
    Map<Long, Long> started = new HashMap<>();
    Map<String, List<long[]>> byType = new TreeMap<>();
    for (HistoryEvent e : events) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        String type = e.getActivityTaskScheduledEventAttributes().getActivityType().getName();
        types.put(e.getEventId(), type);
        scheduled.put(e.getEventId(), millis(e));
        if (type.equals("AwaitReady") && firstApply < 0) firstApply = millis(e);
      } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
        started.put(e.getActivityTaskStartedEventAttributes().getScheduledEventId(), millis(e));
      } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        long id = e.getActivityTaskCompletedEventAttributes().getScheduledEventId();
        String type = types.get(id);
        if (type.equals("AwaitReady")) lastWait = millis(e);
        byType.computeIfAbsent(type, t -> new ArrayList<>())
            .add(new long[] {started.get(id) - scheduled.get(id), millis(e) - started.get(id)});
      }
    }
    Map<String, String> out = new java.util.LinkedHashMap<>();
    out.put("start -> first AwaitReady scheduled (validate, plan, preflight, update plan, first applies)", Long.toString(firstApply - start));
    out.put("first AwaitReady -> last AwaitReady completed (the waves)", Long.toString(lastWait - firstApply));
    out.put("last AwaitReady -> end", Long.toString(end - lastWait));
    for (var t : byType.entrySet()) {
      long queued = 0;
      long ran = 0;
      for (long[] r : t.getValue()) {
        queued += r[0];
        ran += r[1];
      }
      int n = t.getValue().size();
      out.put(t.getKey() + " x" + n + ": mean queued / mean ran", queued / n + " / " + ran / n);
    }
    return out;
  }

  /** The requests made with {@code token}, as "METHOD resource" (names and queries left out) -> count. */
  static Map<String, Integer> requests(ApplyingCrudDispatcher api, String token, int from) {
    Map<String, Integer> out = new TreeMap<>();
    List<ApplyingCrudDispatcher.Seen> seen = api.seen();
    for (ApplyingCrudDispatcher.Seen s : seen.subList(from, seen.size())) {
      if (s.authorization() == null || !s.authorization().endsWith(token)) continue;
      out.merge(s.method() + " " + resource(s.path()) + (s.path().contains("dryRun") ? " (dry run)" : "")
          + (s.path().contains("watch=true") ? " (watch)" : ""), 1, Integer::sum);
    }
    return out;
  }

  /** The resource of an API path: "/apis/apps/v1/namespaces/llm/deployments/x" -> "deployments". */
  static String resource(String path) {
    String p = path.split("\\?")[0];
    String[] parts = p.split("/");
    for (int i = 0; i < parts.length - 1; i++) {
      if (parts[i].equals("namespaces") && i + 2 < parts.length) return parts[i + 2];
    }
    return parts[parts.length - 1].isEmpty() || parts.length < 2 ? p
        : parts.length > 2 && !parts[parts.length - 2].equals("v1") ? parts[parts.length - 2] : parts[parts.length - 1];
  }

  private static long millis(HistoryEvent e) {
    return e.getEventTime().getSeconds() * 1000 + e.getEventTime().getNanos() / 1_000_000;
  }
}

package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.client.DeployMemo;
import ai.dynamo.deploy.client.DeployResolver;
import ai.dynamo.deploy.client.DeployResolver.Resolution;
import io.temporal.client.WorkflowClient;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where {@code dynamo deploy -f FILE} and {@code diff -f FILE} act when the file's graph is already deployed: the
 * place the flags name, else where Temporal says it is ({@link DeployRef#byName}), with the settings its newest run
 * was started with under the flags given (one setting each, as {@code helm upgrade --reuse-values}); what came from
 * where is said on stderr. {@code --reset-settings} takes the flags alone (as {@code helm upgrade --reset-values}).
 */
final class RecordedPlace {
  private RecordedPlace() {}

  /**
   * The deploy of {@code graph} the flags (or Temporal) point at, or null when Temporal knows none there (then the
   * flags alone say where: a first install).
   *
   * @param command how suggested commands start after {@code dynamo deploy}, e.g. {@code -f graph.yaml}
   * @param reset {@code --reset-settings}: the flags' settings only (and, when the flags do not name the place, the
   *     recorded ones that reach it: {@link DeployMemo#REACH_SETTINGS})
   */
  static Resolution find(WorkflowClient client, String graph, TargetOptions target, String command, boolean reset) {
    Resolution found;
    try {
      found = DeployRef.byName(client, graph, target.namesPlace() ? target.resolve().spec() : null, target, command,
          false);
    } catch (DeployResolver.NotFound e) {
      return null;
    }
    if (!found.known()) return null;
    if (!reset) return found;
    Map<String, String> settings = new TreeMap<>();
    if (!target.namesPlace()) {
      found.origin().recorded().forEach((k, v) -> {
        if (DeployMemo.REACH_SETTINGS.contains(k)) settings.put(k, v);
      });
    }
    settings.putAll(found.origin().flags());
    TargetSpec t = found.target();
    return new Resolution(found.workflowId(), new TargetSpec(t.kind(), t.location(), settings), true);
  }

  /** Says which settings came from the record and which from the command line, when they differ. */
  static void tell(PrintWriter err, Resolution found) {
    found.origin().notes(found.workflowId()).forEach(n -> err.println("note: " + n));
    err.flush();
  }
}

package ai.dynamo.deploy.testing.fake;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.workflows.HeldCancelled;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fake target's held starts (setting {@code fake.startsHeld}): which held applies no apply released yet, and
 * which an abort cancelled, per deploy run, revision and component. In memory only, as the calls log is.
 */
final class FakeHeldStarts {
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final Set<String> cancelled = ConcurrentHashMap.newKeySet();

  void hold(DeployContext ctx, int revision, String component) {
    held.add(key(ctx, revision, component));
  }

  /** Its own wave's apply releases it. */
  void release(DeployContext ctx, int revision, String component) {
    held.remove(key(ctx, revision, component));
  }

  /**
   * Cancels the held, never released ones among {@code components} (each newly cancelled one is logged to
   * {@code calls}); a retry answers the same, as it remembers what it cancelled.
   */
  HeldCancelled cancel(DeployContext ctx, int revision, List<String> components, List<String> calls) {
    List<String> names = new ArrayList<>();
    for (String name : components) {
      String key = key(ctx, revision, name);
      if (held.remove(key)) {
        cancelled.add(key);
        calls.add("cancel-held " + name + " rev " + revision);
      }
      if (cancelled.contains(key)) names.add(name);
    }
    return new HeldCancelled(names, List.of());
  }

  private static String key(DeployContext ctx, int revision, String component) {
    return ctx.workflowId() + "/" + ctx.runId() + "/" + revision + "/" + component;
  }
}

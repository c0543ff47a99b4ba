package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.activities.fake.FakeTarget;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** The deploy targets a worker serves, by {@code TargetSpec.kind}. */
public final class DeployTargets {
  /** Set to {@code 1} (or {@code true}) to register the in-process fake target on a worker: tests and demos only. */
  public static final String ENABLE_FAKE_ENV = "DYNAMO_ENABLE_FAKE_TARGET";
  /** Optional directory where the fake target keeps its state, so a restarted worker process sees it. */
  public static final String FAKE_STATE_DIR_ENV = "DYNAMO_FAKE_STATE_DIR";

  private final Map<String, DeployTarget> byKind = new TreeMap<>();

  public DeployTargets register(DeployTarget target) {
    byKind.put(target.kind(), target);
    return this;
  }

  /** Registers the fake target when the environment enables it ({@link #ENABLE_FAKE_ENV}). */
  public DeployTargets registerFakeIfEnabled(Map<String, String> env) {
    String enabled = env.getOrDefault(ENABLE_FAKE_ENV, "");
    if (enabled.equals("1") || enabled.equalsIgnoreCase("true")) {
      String dir = env.get(FAKE_STATE_DIR_ENV);
      register(dir == null || dir.isBlank() ? new FakeTarget() : new FakeTarget(Path.of(dir)));
    }
    return this;
  }

  /** The target of a kind; an unknown kind is invalid input, not a transient error. */
  public DeployTarget get(String kind) {
    DeployTarget target = byKind.get(kind);
    if (target == null) {
      throw TargetFailure.invalidIr(
          "this worker has no target \"" + kind + "\" (it serves: " + String.join(", ", byKind.keySet()) + ")");
    }
    return target;
  }

  public boolean has(String kind) {
    return byKind.containsKey(kind);
  }
}

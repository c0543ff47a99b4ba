package ai.dynamo.deploy.activities;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The deploy targets a worker serves, by {@code TargetSpec.kind}. The real targets are registered by name (see the
 * worker's {@code DeployRegistration}); more can be contributed by a jar on the class path that lists a
 * {@link DeployTarget} (with a public no-argument constructor) in
 * {@code META-INF/services/ai.dynamo.deploy.activities.DeployTarget}: that is how the test fixtures add their fake
 * target, which the shipped jar does not contain.
 */
public final class DeployTargets {
  private final Map<String, DeployTarget> byKind = new TreeMap<>();

  public DeployTargets register(DeployTarget target) {
    byKind.put(target.kind(), target);
    return this;
  }

  /** The targets jars on the class path contribute (none in the shipped jar), each a new instance. */
  public static List<DeployTarget> contributed() {
    List<DeployTarget> targets = new ArrayList<>();
    ServiceLoader.load(DeployTarget.class).forEach(targets::add);
    return targets;
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

  /** The kinds served, sorted. */
  public Set<String> kinds() {
    return java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(byKind.keySet()));
  }
}

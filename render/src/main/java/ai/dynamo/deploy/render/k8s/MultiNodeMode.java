package ai.dynamo.deploy.render.k8s;

import ai.dynamo.deploy.ir.TargetSettingKeys;
import java.util.Locale;
import java.util.Map;

/** How a multi-node service group is run on Kubernetes: the {@link TargetSettingKeys#K8S_MULTINODE} setting. */
public enum MultiNodeMode {
  /** a leader StatefulSet and one worker StatefulSet per group; the deployer starts workers after leaders */
  STATEFULSET,
  /** one LeaderWorkerSet ({@code leaderworkerset.x-k8s.io/v1}) per component; LWS starts workers after leaders */
  LWS,
  /** {@link #LWS} when the cluster serves the LeaderWorkerSet API, else {@link #STATEFULSET}; decided at deploy time */
  AUTO;

  public static final MultiNodeMode DEFAULT = STATEFULSET;

  /** The setting's value as written in settings and flags. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The mode of a target's settings (default {@link #DEFAULT}).
   *
   * @throws IllegalArgumentException for a value that is not a mode
   */
  public static MultiNodeMode of(Map<String, String> settings) {
    String value = settings.get(TargetSettingKeys.K8S_MULTINODE);
    if (value == null || value.isBlank()) return DEFAULT;
    String problem = problem(value);
    if (problem != null) {
      throw new IllegalArgumentException("setting " + TargetSettingKeys.K8S_MULTINODE + ": " + problem);
    }
    return valueOf(value.toUpperCase(Locale.ROOT));
  }

  /** What is wrong with a value, or null. */
  public static String problem(String value) {
    for (MultiNodeMode m : values()) {
      if (m.value().equals(value)) return null;
    }
    return "\"" + value + "\" is not a multi-node mode (statefulset, lws or auto)";
  }
}

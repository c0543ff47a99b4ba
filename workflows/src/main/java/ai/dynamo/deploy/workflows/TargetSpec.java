package ai.dynamo.deploy.workflows;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where a deploy goes.
 *
 * @param kind {@code k8s} or {@code slurm} (tests may register others)
 * @param location the place within the target kind: the Kubernetes namespace (with context), or the Slurm
 *     login host; part of the workflow ID so one graph deploys once at a time per place
 * @param settings target settings the IR does not hold (namespace, partition, account, time limit, ...), keyed by
 *     the names documented in the README; sorted so the spec digest is stable
 */
public record TargetSpec(String kind, String location, Map<String, String> settings) {
  public TargetSpec {
    settings = java.util.Collections.unmodifiableMap(new TreeMap<>(settings));
  }
}

package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.render.k8s.MultiNodeMode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * {@code multinode=auto} decided by the cluster: {@code lws} when it serves the LeaderWorkerSet API, else
 * {@code statefulset}. Decided once per deploy run and kept (for the last runs this worker served), so every step of
 * a run renders, applies and watches the same kind of objects even if LWS is installed or removed meanwhile.
 */
final class MultiNodeDecisions {
  private final Map<String, MultiNodeMode> byRun = Collections.synchronizedMap(
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, MultiNodeMode> eldest) {
          return size() > 64;
        }
      });

  /** The request's settings with {@code auto} replaced by the decision; other settings as they are. */
  Map<String, String> settings(DeployContext ctx, Supplier<KubernetesClient> client) {
    MultiNodeMode mode;
    try {
      mode = MultiNodeMode.of(ctx.settings());
    } catch (IllegalArgumentException e) {
      throw TargetFailure.invalidIr(e.getMessage());
    }
    if (mode != MultiNodeMode.AUTO) return ctx.settings();
    MultiNodeMode decided = byRun.computeIfAbsent(ctx.runId(), run -> {
      try {
        return LeaderWorkerSetApi.served(client.get()) ? MultiNodeMode.LWS : MultiNodeMode.STATEFULSET;
      } catch (KubernetesClientException e) {
        throw KubeErrors.translate(e, "discover the LeaderWorkerSet API");
      }
    });
    Map<String, String> settings = new TreeMap<>(ctx.settings());
    settings.put(TargetSettingKeys.K8S_MULTINODE, decided.value());
    return settings;
  }
}

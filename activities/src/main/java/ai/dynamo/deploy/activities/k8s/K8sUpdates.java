package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.LiveRevision;
import ai.dynamo.deploy.activities.Room;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.workflows.ComponentChange;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes side of per-component updates (docs/kubernetes-target.md "Updates"): the health of a live
 * component's workloads, the {@code auto} strategy's capacity check (free {@code nvidia.com/gpu} of the nodes that
 * match the component's node selector: allocatable minus the requests of the pods bound there), the Deployment
 * strategy of a replacement, and the object form {@code deploy diff} compares.
 */
final class K8sUpdates {
  static final String GPU = "nvidia.com/gpu";

  private K8sUpdates() {}

  /**
   * Healthy: every workload of the component exists and {@link WorkloadReadiness#steady} finds it ready (the rules of
   * the deploy's own wait; a Job: has not failed). One GET per workload. Used by the update planning and by
   * {@code deploy status}'s live check.
   */
  static LiveRevision.Component health(KubernetesClient client, String namespace, List<HasMetadata> recorded,
      String digest, int revision) {
    List<String> bad = new ArrayList<>();
    int workloads = 0;
    for (HasMetadata want : recorded) {
      if (!WorkloadReadiness.isWorkload(want)) continue;
      workloads++;
      HasMetadata live;
      try {
        live = client.resource(want).inNamespace(namespace).get();
      } catch (KubernetesClientException e) {
        throw KubeErrors.translate(e, "read " + ManifestSet.key(want));
      }
      if (live == null) {
        bad.add(ManifestSet.key(want) + " is gone");
        continue;
      }
      WorkloadReadiness.Verdict v = WorkloadReadiness.steady(live);
      if (!v.isReady()) bad.add(v.message());
    }
    String health = bad.isEmpty() ? workloads + " workload(s) ready" : String.join(", ", bad);
    return new LiveRevision.Component(digest, revision, bad.isEmpty(), health);
  }

  /**
   * Whether the new pods of a blue/green replacement fit beside the old ones now. A Deployment surges all its replicas
   * ({@code maxSurge} 100%), so each needs its GPUs free on a node matching the selector; a StatefulSet group rolls
   * its pods in place (no surge), so blue/green cannot apply to it.
   */
  static Room room(KubernetesClient client, Component c, List<HasMetadata> objects) {
    if (objects.stream().anyMatch(o -> o instanceof StatefulSet)) {
      return Room.none("a StatefulSet group rolls its pods in place, without surge");
    }
    int perPod = c.resources().gpu();
    int pods = c.replicas() * c.multiNode().numNodes();
    if (perPod == 0) return Room.fits("it needs no GPUs");
    List<Node> nodes;
    List<Pod> bound;
    try {
      nodes = client.nodes().withLabels(c.nodeSelector()).list().getItems();
      bound = client.pods().inAnyNamespace().list().getItems();
    } catch (KubernetesClientException e) {
      return Room.none("the free GPUs cannot be read (" + e.getCode() + " " + e.getStatus().getReason()
          + " listing nodes or pods), so recreate is the safe choice");
    }
    Map<String, Long> used = new HashMap<>();
    for (Pod p : bound) {
      String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
      String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
      if (node == null || "Succeeded".equals(phase) || "Failed".equals(phase)) continue;
      used.merge(node, gpuRequests(p), Long::sum);
    }
    long fit = 0;
    long free = 0;
    for (Node n : nodes) {
      Quantity q = n.getStatus() == null || n.getStatus().getAllocatable() == null ? null
          : n.getStatus().getAllocatable().get(GPU);
      long allocatable = q == null ? 0 : q.getNumericalAmount().longValue();
      long left = Math.max(0, allocatable - used.getOrDefault(n.getMetadata().getName(), 0L));
      free += left;
      fit += left / perPod;
    }
    String size = pods + " pod" + (pods == 1 ? "" : "s") + " x " + perPod + " GPU";
    String where = nodes.size() + " node" + (nodes.size() == 1 ? "" : "s")
        + (c.nodeSelector().isEmpty() ? "" : " matching " + c.nodeSelector());
    return fit >= pods
        ? Room.fits("a second copy (" + size + ") fits now: " + free + " GPUs free on " + where)
        : Room.none("the cluster has no room for a second copy (" + size + "): " + free + " GPUs free on " + where);
  }

  private static long gpuRequests(Pod p) {
    long sum = 0;
    for (var container : p.getSpec().getContainers()) {
      if (container.getResources() == null) continue;
      Map<String, Quantity> r = container.getResources().getRequests() != null
          && container.getResources().getRequests().containsKey(GPU)
          ? container.getResources().getRequests() : container.getResources().getLimits();
      if (r != null && r.get(GPU) != null) sum += r.get(GPU).getNumericalAmount().longValue();
    }
    return sum;
  }

  /**
   * The Deployment strategy of a replacement: recreate stops the old pods before starting new ones; blue/green starts
   * every new pod beside the old ones ({@code maxSurge} 100%, {@code maxUnavailable} 0), which go once the new ones
   * are ready. A LeaderWorkerSet gets the same as its {@code rolloutStrategy}: recreate, every group unavailable at
   * once and no surge; blue/green, a surge of every group and none unavailable. Other objects are left as rendered
   * (StatefulSets roll in place; a changed Job is replaced).
   */
  static void strategy(List<HasMetadata> objects, ComponentChange change) {
    if (change == null || (!change.recreates() && !change.blueGreen())) return;
    for (HasMetadata o : objects) {
      if (LeaderWorkerSetApi.is(o)) {
        Map<String, Object> spec = LeaderWorkerSetApi.spec((io.fabric8.kubernetes.api.model.GenericKubernetesResource) o);
        Object replicas = spec.getOrDefault("replicas", 1);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("maxUnavailable", change.recreates() ? replicas : 0);
        config.put("maxSurge", change.recreates() ? 0 : replicas);
        spec.put("rolloutStrategy", new LinkedHashMap<>(Map.of("type", "RollingUpdate", "rollingUpdateConfiguration", config)));
        continue;
      }
      if (!(o instanceof Deployment d)) continue;
      d.getSpec().setStrategy(change.recreates()
          ? new DeploymentStrategyBuilder().withType("Recreate").build()
          : new DeploymentStrategyBuilder().withType("RollingUpdate").withNewRollingUpdate()
              .withMaxSurge(new IntOrString("100%")).withMaxUnavailable(new IntOrString(0)).endRollingUpdate().build());
    }
  }

  /** The objects as {@code deploy diff} compares them: without the labels the target adds per revision. */
  static Map<String, String> asFiles(List<HasMetadata> objects) {
    Map<String, String> files = new LinkedHashMap<>();
    for (HasMetadata o : objects) {
      HasMetadata copy = ManifestSet.SERIALIZATION.clone(o);
      if (copy.getMetadata().getLabels() != null) copy.getMetadata().getLabels().remove(ManifestSet.REVISION);
      if (copy.getMetadata().getAnnotations() != null) copy.getMetadata().getAnnotations().remove(ManifestSet.SPEC_DIGEST);
      copy.getMetadata().setResourceVersion(null);
      files.put(o.getKind() + "/" + o.getMetadata().getName() + ".yaml", ManifestSet.SERIALIZATION.asYaml(copy));
    }
    return files;
  }
}

package ai.dynamo.deploy.testing.k8s;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * TEST-ONLY stand-in for the scheduler, used by {@link SimulatedController} once it has GPU nodes: a pod binds to
 * the first node whose allocatable {@code nvidia.com/gpu} minus the GPU requests of the pods bound to it covers the
 * pod's own, or stays Pending with {@code PodScheduled=False, Unschedulable} and one {@code FailedScheduling} event,
 * as kube-scheduler reports it. Binding writes {@code spec.nodeName} and a {@code Scheduled} event.
 */
final class SimulatedScheduler {
  static final String GPU = "nvidia.com/gpu";

  private final KubernetesClient client;
  private final String namespace;
  private final List<String> nodes = new CopyOnWriteArrayList<>();
  private final Set<String> failedScheduling = ConcurrentHashMap.newKeySet();

  SimulatedScheduler(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** Whether there are nodes to schedule onto (otherwise pods run at once, as before scheduling was simulated). */
  boolean on() {
    return !nodes.isEmpty();
  }

  void addNodes(int count, int gpus) {
    int first = nodes.size() + 1;
    for (int i = first; i < first + count; i++) {
      String name = "gpu-node-" + i;
      Map<String, Quantity> size = Map.of(GPU, new Quantity(Integer.toString(gpus)), "cpu", new Quantity("64"));
      client.resource(new NodeBuilder().withNewMetadata().withName(name)
          .addToLabels("kubernetes.io/hostname", name).endMetadata()
          .withNewStatus().withAllocatable(size).withCapacity(size).endStatus().build()).create();
      nodes.add(name);
    }
  }

  /** A node with {@code gpus} free (allocatable minus the requests of the pods bound to it), or null. */
  String fit(long gpus) {
    Map<String, Long> used = new LinkedHashMap<>();
    for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
      if (p.getSpec() != null && p.getSpec().getNodeName() != null) {
        used.merge(p.getSpec().getNodeName(), gpus(p.getSpec()), Long::sum);
      }
    }
    for (String node : nodes) {
      Node n = client.nodes().withName(node).get();
      long allocatable = n.getStatus().getAllocatable().get(GPU).getNumericalAmount().longValue();
      if (allocatable - used.getOrDefault(node, 0L) >= gpus) return node;
    }
    return null;
  }

  /** No node has room for {@code pod}: Pending, Unschedulable, and (once per pod) a FailedScheduling event. */
  void unschedulable(Pod pod) {
    String message = "0/" + nodes.size() + " nodes are available: " + nodes.size() + " Insufficient nvidia.com/gpu.";
    PodStatus pending = new PodStatusBuilder().withPhase("Pending").withConditions(new PodConditionBuilder()
        .withType("PodScheduled").withStatus("False").withReason("Unschedulable").withMessage(message)
        .withLastTransitionTime(Instant.now().toString()).build()).build();
    if (pod.getStatus() == null || !Objects.equals(pending.getPhase(), pod.getStatus().getPhase())
        || pod.getStatus().getConditions() == null || pod.getStatus().getConditions().size() != 1) {
      pod.setStatus(pending);
      client.resource(pod).inNamespace(namespace).patchStatus();
    }
    if (failedScheduling.add(pod.getMetadata().getName())) event(pod.getMetadata().getName(), "FailedScheduling", message);
  }

  /** GPUs a pod asks for: the containers' {@code nvidia.com/gpu} limits (else requests). */
  static long gpus(PodSpec spec) {
    long sum = 0;
    for (var c : spec.getContainers()) {
      if (c.getResources() == null) continue;
      var q = c.getResources().getLimits() != null ? c.getResources().getLimits().get(GPU) : null;
      if (q == null && c.getResources().getRequests() != null) q = c.getResources().getRequests().get(GPU);
      if (q != null) sum += q.getNumericalAmount().longValue();
    }
    return sum;
  }

  static boolean isZero(IntOrString v) {
    return v.getIntVal() != null ? v.getIntVal() == 0 : "0%".equals(v.getStrVal()) || "0".equals(v.getStrVal());
  }

  void event(String pod, String reason, String message) {
    client.v1().events().inNamespace(namespace).resource(new EventBuilder()
        .withNewMetadata().withGenerateName(pod + ".").withNamespace(namespace).endMetadata()
        .withNewInvolvedObject().withKind("Pod").withName(pod).withNamespace(namespace).endInvolvedObject()
        .withReason(reason).withMessage(message).withType(reason.startsWith("Failed") ? "Warning" : "Normal")
        .withNewSource().withComponent("simulated-controller").endSource().build()).create();
  }

  /** The events written, as {@code reason object} lines. */
  List<String> events() {
    List<String> out = new ArrayList<>();
    for (io.fabric8.kubernetes.api.model.Event e : client.v1().events().inNamespace(namespace).list().getItems()) {
      out.add(e.getReason() + " " + e.getInvolvedObject().getName());
    }
    return out;
  }
}

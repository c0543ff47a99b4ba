package ai.dynamo.deploy.testing.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TEST-ONLY: the pods and ReplicaSets of a namespace as one tick of {@link SimulatedController} saw them, each kind
 * listed once at the tick's start instead of read one object at a time (a request per pod and per Deployment made a
 * tick over a 20-component graph take over a second). The controller records what it creates or changes during the
 * tick here, so later steps of the same tick see it as a GET would have. Only that controller writes pod statuses;
 * an object someone else deletes meanwhile makes a write fail, which fails the tick, and the next tick lists afresh.
 */
final class TickSnapshot {
  // Concurrent: the workloads of a tick are handled on several threads (their pods and ReplicaSets are disjoint).
  private final Map<String, Pod> pods = new ConcurrentHashMap<>();
  private final Map<String, ReplicaSet> replicaSets = new ConcurrentHashMap<>();

  static TickSnapshot of(KubernetesClient client, String namespace) {
    TickSnapshot s = new TickSnapshot();
    client.pods().inNamespace(namespace).list().getItems().forEach(s::put);
    client.apps().replicaSets().inNamespace(namespace).list().getItems()
        .forEach(r -> s.replicaSets.put(r.getMetadata().getName(), r));
    return s;
  }

  /** The pod {@code name}, or null when there was none. */
  Pod pod(String name) {
    return pods.get(name);
  }

  void put(Pod pod) {
    pods.put(pod.getMetadata().getName(), pod);
  }

  void removePod(String name) {
    pods.remove(name);
  }

  /** The pods labelled {@code label=value}. */
  List<Pod> podsLabelled(String label, String value) {
    List<Pod> found = new ArrayList<>();
    for (Pod p : pods.values()) {
      Map<String, String> labels = p.getMetadata().getLabels();
      if (labels != null && value.equals(labels.get(label))) found.add(p);
    }
    return found;
  }

  /** The pods that carry {@code label} at all. */
  List<Pod> podsWithLabel(String label) {
    List<Pod> found = new ArrayList<>();
    for (Pod p : pods.values()) {
      Map<String, String> labels = p.getMetadata().getLabels();
      if (labels != null && labels.containsKey(label)) found.add(p);
    }
    return found;
  }

  ReplicaSet replicaSet(String name) {
    return replicaSets.get(name);
  }

  void put(ReplicaSet replicaSet) {
    replicaSets.put(replicaSet.getMetadata().getName(), replicaSet);
  }
}

package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.LogRequest;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.render.k8s.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.Loggable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * {@code dynamo deploy logs} on Kubernetes: the log of one pod of the component, as {@code kubectl logs} reads it.
 * Which pod: in a multi-node group, the group's leader (rank 0) or the worker of that rank (StatefulSets, Indexed
 * Jobs or a LeaderWorkerSet); otherwise the replica-th pod of the component by name. Secret values reach containers as environment from Secrets, never
 * through the deployer, so they are in a log only when the process prints them.
 */
final class K8sLogs {
  /** The Job controller's annotation with a pod's completion index (a multi-node batch pod's rank). */
  static final String JOB_INDEX = "batch.kubernetes.io/job-completion-index";

  private final KubernetesClient client;
  private final String namespace;

  K8sLogs(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  void read(String graph, LogRequest request, Consumer<String> lines) {
    String graphLabel = Labels.graphValue(graph);
    String component = Labels.componentValue(request.component());
    List<Pod> pods;
    try {
      pods = client.pods().inNamespace(namespace).withLabel(Labels.GRAPH, graphLabel)
          .withLabel(Labels.COMPONENT, component).list().getItems();
    } catch (KubernetesClientException e) {
      throw KubeErrors.translate(e, "list the pods of " + request.component());
    }
    if (pods.isEmpty()) {
      throw TargetFailure.invalidIr("no pod of component " + request.component() + " of " + graph + " in namespace "
          + namespace + " (kubectl get pods -n " + namespace + " -l " + Labels.GRAPH + "=" + graphLabel + ")");
    }
    Pod pod = pick(pods, request);
    String container = pod.getSpec().getContainers().stream().map(c -> c.getName()).filter(component::equals)
        .findFirst().orElse(pod.getSpec().getContainers().get(0).getName());
    ContainerResource resource = client.pods().inNamespace(namespace).withName(pod.getMetadata().getName())
        .inContainer(container);
    try {
      Loggable log = request.tailLines() >= 0 ? resource.tailingLines(request.tailLines()) : resource;
      if (!request.follow()) {
        log.getLog().lines().forEach(lines);
        return;
      }
      try (LogWatch watch = log.watchLog();
          BufferedReader out = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) lines.accept(line);
      }
    } catch (KubernetesClientException e) {
      throw KubeErrors.translate(e, "read the log of pod " + pod.getMetadata().getName());
    } catch (IOException e) {
      throw new UncheckedIOException("reading the log of pod " + pod.getMetadata().getName(), e);
    }
  }

  /** The pod of the request's replica and rank; a clear error naming the pods there are when none fits. */
  static Pod pick(List<Pod> pods, LogRequest request) {
    int replica = request.replica();
    int rank = request.rankOrLeader();
    boolean group = pods.stream().anyMatch(p -> role(p, "leader") || role(p, "worker") || label(p, Labels.GROUP) != null
        || label(p, LeaderWorkerSetApi.WORKER_INDEX_LABEL) != null);
    Predicate<Pod> wanted;
    String what;
    if (!group) {
      if (rank != 0) {
        throw TargetFailure.invalidIr(request.component() + " is not a multi-node group: --rank applies to groups");
      }
      List<Pod> sorted = pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
          .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
      if (replica < sorted.size()) return sorted.get(replica);
      wanted = p -> false;
      what = "replica " + replica + " (pods are numbered by name from 0)";
    } else if (pods.stream().anyMatch(p -> label(p, LeaderWorkerSetApi.WORKER_INDEX_LABEL) != null)) {
      // A LeaderWorkerSet: its own labels say which group and which worker (0: the leader).
      wanted = p -> String.valueOf(replica).equals(label(p, LeaderWorkerSetApi.GROUP_INDEX_LABEL))
          && String.valueOf(rank).equals(label(p, LeaderWorkerSetApi.WORKER_INDEX_LABEL));
      what = "group " + replica + " rank " + rank;
    } else if (pods.stream().anyMatch(p -> role(p, "leader"))) {
      // StatefulSets: the leader of group G is <leader>-G; a group's workers are <workers-G>-R (ordinals from 1).
      wanted = rank == 0 ? p -> role(p, "leader") && ordinal(p) == replica
          : p -> role(p, "worker") && String.valueOf(replica).equals(label(p, Labels.GROUP)) && ordinal(p) == rank;
      what = "group " + replica + " rank " + rank;
    } else {
      // Indexed Jobs, one per group: the completion index is the rank.
      wanted = p -> String.valueOf(replica).equals(label(p, Labels.GROUP))
          && String.valueOf(rank).equals(annotation(p, JOB_INDEX));
      what = "group " + replica + " rank " + rank;
    }
    return pods.stream().filter(wanted).findFirst().orElseThrow(() -> TargetFailure.invalidIr("no pod of "
        + request.component() + " " + what + " (its pods: " + String.join(", ",
            pods.stream().map(p -> p.getMetadata().getName()).sorted().toList()) + ")"));
  }

  private static boolean role(Pod p, String role) {
    return role.equals(label(p, Labels.ROLE));
  }

  private static String label(Pod p, String key) {
    Map<String, String> labels = p.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }

  private static String annotation(Pod p, String key) {
    Map<String, String> annotations = p.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  /** A StatefulSet pod's ordinal: the number after its name's last dash. */
  private static int ordinal(Pod p) {
    String name = Objects.requireNonNull(p.getMetadata().getName());
    try {
      return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}

package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.k8s.MultiNodeMode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks before anything is applied. Failures are collected and reported together as one non-retryable
 * PreflightFailed (so the user fixes everything in one go); a GPU shortfall is only a warning (the cluster may
 * scale up, or other workloads may finish).
 *
 * <ol>
 *   <li>the namespace exists (or is created with {@code createNamespace=true})
 *   <li>{@code multinode=lws} with a multi-node service: the cluster serves the LeaderWorkerSet API (discovery);
 *       {@code multinode=auto} says which it chose
 *   <li>SelfSubjectAccessReview of every permission in {@link K8sAccess} (the table the in-cluster RBAC grants)
 *   <li>every Secret a {@code secretKeyRef} or {@code envFrom} in the manifests names exists, with the key; only key
 *       names are looked at, never a value
 *   <li>the objects the pod settings name exist ({@link PodSettingsPreflight})
 *   <li>no object we would write exists without being ours (another graph's or someone else's)
 *   <li>warning: allocatable {@code nvidia.com/gpu} over all nodes below what the graph asks for
 * </ol>
 */
final class K8sPreflight {
  static final String GPU = "nvidia.com/gpu";

  private final KubernetesClient client;
  private final String namespace;

  K8sPreflight(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /**
   * @param requested the multi-node mode as requested ({@code auto} undecided)
   * @param settings the settings as rendered ({@code auto} decided)
   */
  List<String> run(Graph graph, ManifestSet set, boolean createNamespace, MultiNodeMode requested,
      Map<String, String> settings) {
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    try {
      if (!namespaceReady(createNamespace, problems, warnings)) throw failure(problems);
      boolean lwsServed = LeaderWorkerSetApi.served(client);
      multiNodeMode(graph, requested, lwsServed, problems, warnings);
      K8sAccess.Review access = K8sAccess.review(client, namespace, lwsServed);
      if (!access.denied().isEmpty()) {
        problems.add("the current user may not " + String.join(", ", access.denied()) + " in namespace " + namespace);
      }
      if (!access.unchecked().isEmpty()) {
        warnings.add("the current user may not " + String.join(", ", access.unchecked())
            + ", so preflight cannot check what needs it");
      }
      if (!problems.isEmpty()) throw failure(problems);
      problems.addAll(secretProblems(set));
      new PodSettingsPreflight(client, namespace).check(settings, problems, warnings);
      problems.addAll(foreignObjects(set));
      if (!problems.isEmpty()) throw failure(problems);
      gpuWarning(graph, warnings);
    } catch (KubernetesClientException e) {
      throw KubeErrors.translate(e, "preflight in namespace " + namespace);
    }
    return warnings;
  }

  private static void multiNodeMode(Graph graph, MultiNodeMode requested, boolean served, List<String> problems,
      List<String> warnings) {
    boolean groups = graph.components().stream().anyMatch(c -> c.multiNode().isMultiNode() && !c.isBatch());
    if (!groups) return;
    if (requested == MultiNodeMode.LWS && !served) {
      problems.add("multinode=lws needs the LeaderWorkerSet API (" + LeaderWorkerSetApi.API_VERSION + "), which "
          + "this cluster does not serve: install LeaderWorkerSet (https://lws.sigs.k8s.io/docs/installation/) or "
          + "deploy with --multinode statefulset");
    } else if (requested == MultiNodeMode.AUTO) {
      warnings.add(served
          ? "multinode=auto: the cluster serves LeaderWorkerSet, so multi-node groups run as LeaderWorkerSets"
          : "multinode=auto: the cluster does not serve LeaderWorkerSet, so multi-node groups run as StatefulSets");
    }
  }

  private TargetFailure failure(List<String> problems) {
    return TargetFailure.preflightFailed(
        "Kubernetes preflight failed in namespace " + namespace + ": " + String.join("; ", problems));
  }

  private boolean namespaceReady(boolean create, List<String> problems, List<String> warnings) {
    Namespace ns;
    try {
      ns = client.namespaces().withName(namespace).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 403) throw e;
      // Namespace-scoped users may not read namespaces; the access review below still tells what they may do.
      warnings.add("cannot check that namespace " + namespace + " exists (not allowed to read namespaces)");
      return true;
    }
    if (ns != null) return true;
    if (create) {
      client.resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
              .addToLabels(ManifestSet.MANAGED_BY, ManifestSet.MANAGER).endMetadata().build())
          .fieldManager(ServerSideApplier.FIELD_MANAGER).serverSideApply();
      warnings.add("created namespace " + namespace);
      return true;
    }
    problems.add("namespace " + namespace + " does not exist (create it with `kubectl create namespace " + namespace
        + "`, or set " + K8sSettings.CREATE_NAMESPACE + "=true)");
    return false;
  }

  private List<String> secretProblems(ManifestSet set) {
    // secret name -> keys needed (empty: the whole Secret, envFrom)
    Map<String, Set<String>> needed = new LinkedHashMap<>();
    for (HasMetadata o : set.all()) {
      for (PodTemplateSpec template : templates(o)) {
        for (Container c : template.getSpec().getContainers()) {
          for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
            SecretKeySelector ref = e.getValueFrom() == null ? null : e.getValueFrom().getSecretKeyRef();
            if (ref != null && !Boolean.TRUE.equals(ref.getOptional())) {
              needed.computeIfAbsent(ref.getName(), k -> new LinkedHashSet<>()).add(ref.getKey());
            }
          }
          for (EnvFromSource from : c.getEnvFrom() == null ? List.<EnvFromSource>of() : c.getEnvFrom()) {
            if (from.getSecretRef() != null && !Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
              needed.computeIfAbsent(from.getSecretRef().getName(), k -> new LinkedHashSet<>());
            }
          }
        }
      }
    }
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : needed.entrySet()) {
      Secret secret = client.secrets().inNamespace(namespace).withName(e.getKey()).get();
      if (secret == null) {
        problems.add("Secret " + e.getKey() + " is missing (create it with `kubectl create secret generic "
            + e.getKey() + " -n " + namespace
            + (e.getValue().isEmpty() ? " --from-literal=KEY=...`)" : " --from-literal=" + e.getValue().iterator().next() + "=...`)"));
        continue;
      }
      // Only the key names are read; the values are never looked at, kept or logged.
      Set<String> keys = new LinkedHashSet<>();
      if (secret.getData() != null) keys.addAll(secret.getData().keySet());
      if (secret.getStringData() != null) keys.addAll(secret.getStringData().keySet());
      for (String key : e.getValue()) {
        if (!keys.contains(key)) problems.add("Secret " + e.getKey() + " has no key " + key);
      }
    }
    return problems;
  }

  private List<String> foreignObjects(ManifestSet set) {
    List<String> problems = new ArrayList<>();
    List<HasMetadata> wanted = set.all();
    // One GET per object, independent of each other: in parallel.
    List<Optional<HasMetadata>> live =
        ParallelCalls.map(wanted, o -> Optional.ofNullable(client.resource(o).inNamespace(namespace).get()));
    for (int i = 0; i < wanted.size(); i++) {
      HasMetadata o = wanted.get(i);
      HasMetadata existing = live.get(i).orElse(null);
      if (existing != null && !ServerSideApplier.owned(existing, set.graphLabel())) {
        problems.add(o.getKind() + " " + o.getMetadata().getName()
            + " already exists and is not managed by dynamo-deploy for graph " + set.graphLabel());
      }
    }
    return problems;
  }

  private void gpuWarning(Graph graph, List<String> warnings) {
    long asked = graph.totalGpus();
    if (asked == 0) return;
    List<Node> nodes;
    try {
      nodes = client.nodes().list().getItems();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 403) throw e;
      warnings.add("cannot check the cluster's GPUs (not allowed to list nodes); the graph asks for " + asked);
      return;
    }
    BigDecimal allocatable = BigDecimal.ZERO;
    for (Node n : nodes) {
      Map<String, Quantity> alloc = n.getStatus() == null ? null : n.getStatus().getAllocatable();
      Quantity q = alloc == null ? null : alloc.get(GPU);
      if (q != null) allocatable = allocatable.add(q.getNumericalAmount());
    }
    if (allocatable.compareTo(BigDecimal.valueOf(asked)) < 0) {
      warnings.add("the graph asks for " + asked + " " + GPU + " but the cluster's nodes have "
          + allocatable.stripTrailingZeros().toPlainString() + " allocatable; some pods may stay Pending");
    }
  }

  /** The pod templates of a workload (a LeaderWorkerSet has two), none for other objects. */
  static List<PodTemplateSpec> templates(HasMetadata o) {
    if (o instanceof GenericKubernetesResource lws && LeaderWorkerSetApi.is(lws)) {
      return LeaderWorkerSetApi.podTemplates(lws);
    }
    PodTemplateSpec template = template(o);
    return template == null ? List.of() : List.of(template);
  }

  static PodTemplateSpec template(HasMetadata o) {
    if (o instanceof Deployment d) return d.getSpec().getTemplate();
    if (o instanceof StatefulSet s) return s.getSpec().getTemplate();
    if (o instanceof Job j) return j.getSpec().getTemplate();
    return null;
  }
}

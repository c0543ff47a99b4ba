package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.render.k8s.PodSettings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Preflight for the pod settings: every object they name must exist, because Kubernetes would otherwise fail late and
 * quietly: a missing pull Secret shows only as ImagePullBackOff once the image is pulled, a missing ServiceAccount,
 * PriorityClass or RuntimeClass makes the API server refuse the pods, so the workload controllers keep retrying and
 * the deploy would wait for pods that never appear. A scheduler name cannot be checked (schedulers are not API
 * objects); a wrong one leaves the pods Pending. Only names and Secret types are read, never a Secret's data.
 */
final class PodSettingsPreflight {
  static final Set<String> PULL_SECRET_TYPES = Set.of("kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg");

  private final KubernetesClient client;
  private final String namespace;

  PodSettingsPreflight(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  void check(Map<String, String> settings, List<String> problems, List<String> warnings) {
    for (String name : PodSettings.lines(settings.get(TargetSettingKeys.K8S_IMAGE_PULL_SECRETS))) {
      Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
      if (secret == null) {
        problems.add("image pull Secret " + name + " is missing in namespace " + namespace + " (create it with "
            + "`kubectl create secret docker-registry " + name + " -n " + namespace
            + " --docker-server=REGISTRY --docker-username=USER --docker-password=...`)");
      } else if (secret.getType() == null || !PULL_SECRET_TYPES.contains(secret.getType())) {
        // an API server stores a Secret without a type as Opaque
        String type = secret.getType() == null ? "Opaque" : secret.getType();
        problems.add("image pull Secret " + name + " is of type " + type + ", not "
            + "kubernetes.io/dockerconfigjson: the kubelet cannot pull with it");
      }
    }
    String account = settings.get(TargetSettingKeys.K8S_SERVICE_ACCOUNT);
    if (account != null) {
      exists(() -> client.serviceAccounts().inNamespace(namespace).withName(account).get(),
          "ServiceAccount " + account, "is missing in namespace " + namespace + " (create it with `kubectl create "
              + "serviceaccount " + account + " -n " + namespace + "`)", problems, warnings);
    }
    String priority = settings.get(TargetSettingKeys.K8S_PRIORITY_CLASS);
    if (priority != null) {
      exists(() -> client.scheduling().v1().priorityClasses().withName(priority).get(), "PriorityClass " + priority,
          "does not exist (`kubectl get priorityclasses` lists them)", problems, warnings);
    }
    String runtime = settings.get(TargetSettingKeys.K8S_RUNTIME_CLASS);
    if (runtime != null) {
      exists(() -> client.resources(RuntimeClass.class).withName(runtime).get(), "RuntimeClass " + runtime,
          "does not exist (the NVIDIA GPU Operator installs nvidia; `kubectl get runtimeclasses` lists them)",
          problems, warnings);
    }
  }

  /** A missing object is a problem; one we may not read is a warning saying it was not checked. */
  private static void exists(Supplier<HasMetadata> get, String what, String missing, List<String> problems,
      List<String> warnings) {
    try {
      if (get.get() == null) problems.add(what + " " + missing);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 403) throw e;
      warnings.add("cannot check that " + what + " exists (not allowed to read it)");
    }
  }
}

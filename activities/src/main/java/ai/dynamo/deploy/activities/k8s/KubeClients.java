package ai.dynamo.deploy.activities.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the target gets its API clients. The default finds the cluster the usual way (fabric8's
 * {@code Config.autoConfigure}): {@code KUBECONFIG}, else {@code ~/.kube/config}, else the in-cluster service
 * account; the {@code context} setting picks a kubeconfig context (default: the current one). Clients are
 * thread-safe and kept per context for the life of the worker.
 */
@FunctionalInterface
public interface KubeClients extends AutoCloseable {

  /** A client for the kubeconfig context, or the current context when {@code context} is null. */
  KubernetesClient client(String context);

  /** Closes the clients this source created (connections, watches); a client handed in is its owner's to close. */
  @Override
  default void close() {}

  /** Clients from the kubeconfig / in-cluster configuration, one per context. */
  static KubeClients fromKubeconfig() {
    Map<String, KubernetesClient> clients = new ConcurrentHashMap<>();
    return new KubeClients() {
      @Override
      public KubernetesClient client(String context) {
        return clients.computeIfAbsent(
            context == null ? "" : context,
            key -> new KubernetesClientBuilder()
                .withConfig(KubeConfigs.load(key.isEmpty() ? null : key, null, KubeConfigs.REQUEST_TIMEOUT)).build());
      }

      @Override
      public void close() {
        clients.values().forEach(KubernetesClient::close);
        clients.clear();
      }
    };
  }

  /**
   * Clients from one kubeconfig file (the CLI's {@code --kubeconfig}), one per context; {@code null}: as
   * {@link #fromKubeconfig}. Each call is bounded by {@code requestTimeout}.
   */
  static KubeClients fromFile(java.nio.file.Path file, java.time.Duration requestTimeout) {
    Map<String, KubernetesClient> clients = new ConcurrentHashMap<>();
    return new KubeClients() {
      @Override
      public KubernetesClient client(String context) {
        return clients.computeIfAbsent(context == null ? "" : context, key -> new KubernetesClientBuilder()
            .withConfig(KubeConfigs.load(key.isEmpty() ? null : key, file, requestTimeout)).build());
      }

      @Override
      public void close() {
        clients.values().forEach(KubernetesClient::close);
        clients.clear();
      }
    };
  }

  /** Always the given client (tests, and callers that built their own). */
  static KubeClients of(KubernetesClient client) {
    return context -> client;
  }
}

package ai.dynamo.deploy.activities.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Utils;
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

  /** Retries of a failed request by the CLI's clients ({@link #fromFile}). */
  int CLI_RETRIES = 2;

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
   * {@link #fromKubeconfig}. Each call is bounded by {@code requestTimeout} and retried at most
   * {@link #CLI_RETRIES} times: these are the CLI's own reads (logs, status's live check), where an API server that
   * refuses connections is reported at once, with its cause, not after fabric8's default backoff (10 retries, ~100 s).
   */
  static KubeClients fromFile(java.nio.file.Path file, java.time.Duration requestTimeout) {
    Map<String, KubernetesClient> clients = new ConcurrentHashMap<>();
    return new KubeClients() {
      @Override
      public KubernetesClient client(String context) {
        return clients.computeIfAbsent(context == null ? "" : context, key -> {
          io.fabric8.kubernetes.client.Config config = KubeConfigs.load(key.isEmpty() ? null : key, file, requestTimeout,
              KubeConfigs.Reader.CLI);
          config.setRequestRetryBackoffLimit(CLI_RETRIES);
          return new KubernetesClientBuilder().withConfig(config).build();
        });
      }

      @Override
      public void close() {
        clients.values().forEach(KubernetesClient::close);
        clients.clear();
      }
    };
  }

  /**
   * Where the default clients find their cluster, for the worker's start-up line: a kubeconfig file (and its current
   * context), the in-cluster service account (a worker running in a pod: the token fabric8 reads from
   * {@code /var/run/secrets/kubernetes.io/serviceaccount/} and {@code KUBERNETES_SERVICE_HOST}/{@code _PORT}), or
   * nothing. Never the token itself.
   */
  static String describeDefault() {
    Config config;
    try {
      config = Config.autoConfigure(null);
    } catch (RuntimeException e) {
      return "cannot read the Kubernetes configuration: " + e.getMessage();
    }
    return describe(config);
  }

  static String describe(Config config) {
    if (config.getFile() != null) {
      String context = config.getCurrentContext() == null ? null : config.getCurrentContext().getName();
      return "kubeconfig " + config.getFile() + (context == null ? "" : " (context " + context + ")");
    }
    if (config.getAutoOAuthToken() != null
        && Utils.getSystemPropertyOrEnvVar(Config.KUBERNETES_SERVICE_HOST_PROPERTY) != null) {
      return "in-cluster service account (API " + config.getMasterUrl()
          + (config.getNamespace() == null ? "" : ", namespace " + config.getNamespace()) + ")";
    }
    return "no kubeconfig and no in-cluster service account: Kubernetes deploys fail until one is configured";
  }

  /** Always the given client (tests, and callers that built their own). */
  static KubeClients of(KubernetesClient client) {
    return context -> client;
  }
}

package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.ir.TargetSettingKeys;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.NamedContext;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a {@code --kubeconfig} file says about the cluster, read on the client: the context (the flag's, else the
 * file's current one) and its API server URL. Only these two go to the worker, which finds the context in its own
 * kubeconfig and checks it points at the same server; never a token or a certificate.
 *
 * @param context the context name
 * @param server the API server URL of that context's cluster
 */
public record KubeconfigIdentity(String context, String server) {

  /** @throws UserError (exit 2) naming the file and what is wrong with it */
  public static KubeconfigIdentity read(Path file, String context) {
    return of(Kubeconfig.read(file), context);
  }

  /** @throws UserError (exit 2) naming the file and what is wrong with its context */
  public static KubeconfigIdentity of(Kubeconfig kubeconfig, String context) {
    Path file = kubeconfig.file();
    Config config = kubeconfig.config();
    String name = context != null ? context : config.getCurrentContext();
    if (name == null || name.isBlank()) {
      throw new UserError(ExitCodes.INVALID, "error: --kubeconfig " + file + " has no current-context: pass --context");
    }
    List<NamedContext> contexts = config.getContexts() == null ? List.of() : config.getContexts();
    NamedContext named = contexts.stream().filter(c -> name.equals(c.getName())).findFirst().orElseThrow(() ->
        new UserError(ExitCodes.INVALID, "error: --kubeconfig " + file + " has no context \"" + name + "\" (contexts: "
            + String.join(", ", contexts.stream().map(NamedContext::getName).toList()) + ")"));
    String cluster = named.getContext() == null ? null : named.getContext().getCluster();
    String server = config.getClusters() == null ? null : config.getClusters().stream()
        .filter(c -> cluster != null && cluster.equals(c.getName()) && c.getCluster() != null)
        .map(c -> c.getCluster().getServer())
        .findFirst().orElse(null);
    if (server == null || server.isBlank()) {
      throw new UserError(ExitCodes.INVALID, "error: --kubeconfig " + file + ": context \"" + name + "\" names cluster \""
          + cluster + "\", which has no server");
    }
    return new KubeconfigIdentity(name, server);
  }

  /** The settings the worker gets: the context name and the server URL. */
  public Map<String, String> settings() {
    return Map.of(TargetSettingKeys.K8S_CONTEXT, context, TargetSettingKeys.K8S_SERVER, server);
  }

  /** {@code https://10.0.0.1:6443/} is {@code 10.0.0.1:6443}; without a port, the scheme's (443, 80). */
  public static String hostPort(String server) {
    try {
      URI uri = URI.create(server.strip());
      if (uri.getHost() == null) return server.strip();
      int port = uri.getPort() > 0 ? uri.getPort() : "http".equals(uri.getScheme()) ? 80 : 443;
      return uri.getHost() + ":" + port;
    } catch (IllegalArgumentException e) {
      return server.strip();
    }
  }
}

package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.TargetFailure;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.utils.Utils;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a Kubernetes client finds its cluster, checked before fabric8 guesses: fabric8 falls back to
 * {@code https://kubernetes.default.svc} when nothing is configured, which outside a cluster only ends after DNS and
 * retries. Here that is a clear, final error; a named context must exist, and a server the deploy was made for
 * ({@code --kubeconfig} on the client) must be the one the context points at. Every client gets bounded timeouts.
 */
public final class KubeConfigs {
  private KubeConfigs() {}

  /** The start of what the user reads when a process finds no configuration at all ({@link #none}). */
  public static final String NONE = "no Kubernetes configuration found";

  /** Which process looks for the configuration: the message tells a user whose kubeconfig is where to put it. */
  public enum Reader {
    /** The worker, which applies and waits (it may run on another machine as another user than the CLI). */
    WORKER,
    /** The CLI's own reads ({@code logs}, {@code history}, {@code status}'s live check), with the user's kubeconfig. */
    CLI
  }

  /**
   * What the user reads when {@code reader} finds no configuration: where it looked, and what to do. For the worker,
   * that {@code --kubeconfig} on the CLI does not give it one (it only names the context and server the worker's
   * own kubeconfig must have).
   */
  public static String none(Reader reader) {
    String files = String.join(", ", Config.getKubeconfigFilenames().stream().filter(f -> f != null && !f.isBlank())
        .toList());
    String looked = "looked at " + (files.isEmpty() ? "no kubeconfig file" : files)
        + " (KUBECONFIG, else ~/.kube/config) and for an in-cluster service account";
    if (reader == Reader.CLI) {
      return NONE + " for this command (user " + System.getProperty("user.name") + "; " + looked + "): set KUBECONFIG"
          + " or pass --kubeconfig";
    }
    return NONE + " by the worker (user " + System.getProperty("user.name") + " on " + hostName() + "; " + looked
        + "): give the worker a kubeconfig (--kubeconfig on the CLI names a context and server, the worker's own"
        + " kubeconfig must have them), or deploy with --target slurm";
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "this host";
    }
  }
  /** TCP connect timeout of every API call. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Timeout of one API request (watches and followed logs are streams, not bounded by it). */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The configuration for {@code context} (null: the current one) from {@code file}, or (file null) from
   * {@code KUBECONFIG}, {@code ~/.kube/config} or the in-cluster service account.
   *
   * @throws TargetFailure of type TargetUnusable when there is none, or the context is not in it
   */
  public static Config load(String context, Path file, Duration requestTimeout) {
    return load(context, file, requestTimeout, Reader.WORKER);
  }

  /** As {@link #load(String, Path, Duration)}, saying who looked when there is no configuration. */
  public static Config load(String context, Path file, Duration requestTimeout, Reader reader) {
    Config config;
    String where;
    if (file != null) {
      if (!Files.isRegularFile(file)) throw TargetFailure.unusable("kubeconfig " + file + " does not exist");
      config = Config.fromKubeconfig(context, file.toFile());
      where = "kubeconfig " + file;
    } else {
      if (!configured()) throw TargetFailure.unusable(none(reader));
      config = Config.autoConfigure(context);
      where = config.getFile() == null ? "the in-cluster configuration" : "kubeconfig " + config.getFile();
    }
    if (context != null && (config.getCurrentContext() == null || !context.equals(config.getCurrentContext().getName()))) {
      throw TargetFailure.unusable("context \"" + context + "\" is not in " + where);
    }
    config.setConnectionTimeout((int) CONNECT_TIMEOUT.toMillis());
    config.setRequestTimeout((int) requestTimeout.toMillis());
    return config;
  }

  /** Whether fabric8 would find a configuration: a kubeconfig file, an API server property, or a pod's account. */
  public static boolean configured() {
    for (String name : Config.getKubeconfigFilenames()) {
      if (name != null && new File(name).isFile()) return true;
    }
    if (Utils.getSystemPropertyOrEnvVar(Config.KUBERNETES_MASTER_SYSTEM_PROPERTY) != null) return true;
    // the token where fabric8 reads it: kubernetes.auth.serviceAccount.token (property or env), else the pod's path
    String token = Utils.getSystemPropertyOrEnvVar(Config.KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN_FILE_SYSTEM_PROPERTY,
        Config.KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH);
    return Utils.getSystemPropertyOrEnvVar(Config.KUBERNETES_SERVICE_HOST_PROPERTY) != null && new File(token).isFile();
  }

  /**
   * Refuses a client whose API server is not the one the deploy was made for.
   *
   * @param wanted the {@code server} setting, or null (nothing to check)
   */
  public static void checkServer(Config config, String context, String wanted) {
    if (wanted == null || wanted.isBlank() || sameServer(config.getMasterUrl(), wanted)) return;
    throw TargetFailure.unusable("context " + (context == null ? "(current)" : "\"" + context + "\"") + " points at "
        + config.getMasterUrl() + ", but the deploy is for " + wanted + " (the server of --kubeconfig on the client);"
        + " give the worker a kubeconfig whose context of that name points there");
  }

  static boolean sameServer(String a, String b) {
    try {
      URI x = URI.create(a.strip());
      URI y = URI.create(b.strip());
      return x.getHost() != null && x.getHost().equalsIgnoreCase(y.getHost()) && port(x) == port(y);
    } catch (IllegalArgumentException e) {
      return a.strip().equals(b.strip());
    }
  }

  private static int port(URI u) {
    return u.getPort() > 0 ? u.getPort() : "http".equals(u.getScheme()) ? 80 : 443;
  }
}

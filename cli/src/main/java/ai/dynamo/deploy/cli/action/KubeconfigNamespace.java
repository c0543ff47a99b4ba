package ai.dynamo.deploy.cli.action;

import io.fabric8.kubernetes.api.model.NamedContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The namespace kubectl and helm use when none is given: the one the kubeconfig context names ({@code kubectl config
 * set-context --current --namespace=llm}). Read on the client, as they do, from {@code --kubeconfig}, else the
 * {@code kubeconfig} system property (fabric8's), else {@code $KUBECONFIG} (a list: the first file that sets
 * current-context, and the first that defines the context, win, as in kubectl), else {@code ~/.kube/config}.
 * Only the namespace is used: no credentials. A file that is missing or not a kubeconfig gives no namespace here;
 * the worker, which connects, reports what is wrong with its configuration.
 */
public final class KubeconfigNamespace {
  private KubeconfigNamespace() {}

  /**
   * @param explicit the {@code --kubeconfig} file, or null
   * @param context the {@code --context}, or null for the current context
   * @param env the caller's environment ({@code KUBECONFIG}, {@code HOME})
   * @return the context's namespace, or null when it names none
   */
  public static String of(Path explicit, String context, Map<String, String> env) {
    List<Kubeconfig> configs = new ArrayList<>();
    for (Path file : files(explicit, env)) {
      Kubeconfig config = Kubeconfig.readIfPresent(file);
      if (config != null) configs.add(config);
    }
    return of(configs, context);
  }

  /**
   * @param configs the kubeconfig files already read, in the order kubectl merges them
   * @param context the {@code --context}, or null for the current context
   * @return the context's namespace, or null when it names none
   */
  public static String of(List<Kubeconfig> configs, String context) {
    String name = context;
    for (int i = 0; name == null && i < configs.size(); i++) {
      String current = configs.get(i).config().getCurrentContext();
      if (current != null && !current.isBlank()) name = current;
    }
    if (name == null) return null;
    for (Kubeconfig kubeconfig : configs) {
      List<NamedContext> contexts = kubeconfig.config().getContexts();
      if (contexts == null) continue;
      for (NamedContext named : contexts) {
        if (named != null && name.equals(named.getName())) {
          // The first file that defines the context wins, with or without a namespace.
          String ns = named.getContext() == null ? null : named.getContext().getNamespace();
          return ns != null && !ns.isBlank() ? ns : null;
        }
      }
    }
    return null;
  }

  static List<Path> files(Path explicit, Map<String, String> env) {
    if (explicit != null) return List.of(explicit);
    String property = System.getProperty("kubeconfig");
    if (property != null && !property.isBlank()) return List.of(Path.of(property));
    String list = env.get("KUBECONFIG");
    if (list != null && !list.isBlank()) {
      List<Path> files = new ArrayList<>();
      for (String part : list.split(java.io.File.pathSeparator)) {
        if (!part.isBlank()) files.add(Path.of(part));
      }
      return files;
    }
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return List.of(Path.of(home, ".kube", "config"));
  }
}

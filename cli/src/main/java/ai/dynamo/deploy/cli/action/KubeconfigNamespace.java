package ai.dynamo.deploy.cli.action;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The namespace kubectl and helm use when none is given: the one the kubeconfig context names ({@code kubectl config
 * set-context --current --namespace=llm}). Read on the client, as they do, from {@code --kubeconfig}, else the
 * {@code kubeconfig} system property (fabric8's), else {@code $KUBECONFIG} (a list: the first file that sets
 * current-context, and the first that defines the context, win, as in kubectl), else {@code ~/.kube/config}.
 * Only the namespace is read: no credentials. A file that is missing or not a kubeconfig gives no namespace here;
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
    List<Map<?, ?>> configs = new ArrayList<>();
    for (Path file : files(explicit, env)) {
      Map<?, ?> config = read(file);
      if (config != null) configs.add(config);
    }
    String name = context;
    for (int i = 0; name == null && i < configs.size(); i++) {
      if (configs.get(i).get("current-context") instanceof String current && !current.isBlank()) name = current;
    }
    if (name == null) return null;
    for (Map<?, ?> config : configs) {
      if (!(config.get("contexts") instanceof List<?> contexts)) continue;
      for (Object entry : contexts) {
        if (entry instanceof Map<?, ?> named && name.equals(named.get("name"))) {
          // The first file that defines the context wins, with or without a namespace.
          return named.get("context") instanceof Map<?, ?> ctx && ctx.get("namespace") instanceof String ns
              && !ns.isBlank() ? ns : null;
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

  private static Map<?, ?> read(Path file) {
    if (!Files.isRegularFile(file)) return null;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return new Yaml(new SafeConstructor(new LoaderOptions())).load(reader) instanceof Map<?, ?> map ? map : null;
    } catch (IOException | YAMLException e) {
      return null;
    }
  }
}

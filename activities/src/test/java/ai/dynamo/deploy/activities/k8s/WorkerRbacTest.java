package ai.dynamo.deploy.activities.k8s;

import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.ir.ExampleGraphs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code deploy/kubernetes/} (a Kustomize base; kustomize is not installed here, so the test resolves its resources
 * list, namespace, config map generator and image itself): the worker's ServiceAccount is granted exactly the
 * permissions in {@link K8sAccess}, which preflight checks, and nothing else.
 */
class WorkerRbacTest {
  /** Cluster-scoped resources of the table: a RoleBinding cannot grant them, a ClusterRoleBinding must. */
  private static final Set<String> CLUSTER_SCOPED = Set.of("namespaces", "nodes", "priorityclasses", "runtimeclasses");

  private static final Path BASE = ExampleGraphs.repositoryRoot().resolve("deploy/kubernetes");

  @SuppressWarnings("unchecked")
  private static Map<String, Object> kustomization() throws IOException {
    return (Map<String, Object>) new Yaml().load(Files.readString(BASE.resolve("kustomization.yaml")));
  }

  /** Every object of the base, with the kustomization's namespace set on namespaced objects that have none. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> objects() throws IOException {
    Map<String, Object> k = kustomization();
    String namespace = (String) k.get("namespace");
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object file : (List<Object>) k.get("resources")) {
      for (Object doc : new Yaml().loadAll(Files.readString(BASE.resolve((String) file)))) {
        Map<String, Object> o = (Map<String, Object>) doc;
        Map<String, Object> meta = (Map<String, Object>) o.get("metadata");
        boolean clusterScoped = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding").contains(o.get("kind"));
        if (!clusterScoped && namespace != null) meta.putIfAbsent("namespace", namespace);
        out.add(o);
      }
    }
    return out;
  }

  private static Map<String, Object> one(List<Map<String, Object>> objects, String kind, String name) {
    List<Map<String, Object>> found = objects.stream()
        .filter(o -> kind.equals(o.get("kind")) && name.equals(meta(o).get("name"))).toList();
    assertEquals(1, found.size(), kind + " " + name);
    return found.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> meta(Map<String, Object> o) {
    return (Map<String, Object>) o.get("metadata");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object value) {
    return value == null ? List.of() : (List<Map<String, Object>>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object value) {
    return value == null ? List.of() : (List<String>) value;
  }

  /** The worker's permissions from every binding of its ServiceAccount, in {@link K8sAccessTable}'s terms. */
  private static Set<String> granted(List<Map<String, Object>> objects, String account, String namespace) {
    Set<String> granted = new TreeSet<>();
    for (Map<String, Object> binding : objects) {
      String kind = (String) binding.get("kind");
      if (!kind.equals("RoleBinding") && !kind.equals("ClusterRoleBinding")) continue;
      boolean ours = list(binding.get("subjects")).stream().anyMatch(s -> "ServiceAccount".equals(s.get("kind"))
          && account.equals(s.get("name")) && namespace.equals(s.get("namespace")));
      if (!ours) continue;
      @SuppressWarnings("unchecked")
      Map<String, Object> ref = (Map<String, Object>) binding.get("roleRef");
      Map<String, Object> role = one(objects, (String) ref.get("kind"), (String) ref.get("name"));
      boolean inNamespace = kind.equals("RoleBinding");
      for (Map<String, Object> rule : list(role.get("rules"))) {
        for (String verb : strings(rule.get("verbs"))) {
          assertNotEquals("*", verb, "no wildcard verbs");
          for (String url : strings(rule.get("nonResourceURLs"))) {
            assertFalse(inNamespace, "a RoleBinding cannot grant non-resource URLs");
            granted.add(K8sAccessTable.nonResource(verb, url));
          }
          for (String group : strings(rule.get("apiGroups"))) {
            for (String resource : strings(rule.get("resources"))) {
              assertNotEquals("*", resource, "no wildcard resources");
              assertNotEquals("*", group, "no wildcard groups");
              // a cluster-wide read the table asks for on purpose (pods list: the auto strategy's free GPUs)
              boolean cluster = CLUSTER_SCOPED.contains(resource) || K8sAccess.RULES.stream().anyMatch(r -> !inNamespace
                  && !r.namespaced() && r.group().equals(group) && r.resource().equals(resource) && r.verbs().contains(verb));
              // a ClusterRoleBinding of a namespaced resource would grant it in every namespace: more than needed
              String scope = inNamespace ? (cluster ? "unusable" : "namespaced") : (cluster ? "cluster" : "all-namespaces");
              granted.add(verb + " " + group + "/" + resource + " " + scope);
            }
          }
        }
      }
    }
    return granted;
  }

  @Test
  void theWorkerIsGrantedExactlyWhatPreflightChecks() throws IOException {
    List<Map<String, Object>> objects = objects();
    Map<String, Object> account = one(objects, "ServiceAccount", "dynamo-worker");
    String namespace = (String) meta(account).get("namespace");
    assertEquals("dynamo", namespace);
    assertEquals(K8sAccessTable.all(), granted(objects, "dynamo-worker", namespace));
  }

  @Test
  @SuppressWarnings("unchecked")
  void theWorkerRunsAsThatAccountAgainstTheConfiguredTemporalWithTheBuiltImage() throws IOException {
    List<Map<String, Object>> objects = objects();
    Map<String, Object> deployment = one(objects, "Deployment", "dynamo-worker");
    assertEquals("dynamo", meta(deployment).get("namespace"));
    Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployment
        .get("spec")).get("template")).get("spec");
    assertEquals("dynamo-worker", pod.get("serviceAccountName"));
    Map<String, Object> container = list(pod.get("containers")).get(0);
    assertEquals("worker", strings(container.get("args")).get(0), "runs dynamo worker (the image's entrypoint is dynamo)");

    Map<String, Object> k = kustomization();
    Map<String, Object> generator = list(k.get("configMapGenerator")).get(0);
    Map<String, Object> ref = (Map<String, Object>) list(container.get("envFrom")).get(0).get("configMapRef");
    String configMap = (String) ref.get("name");
    assertEquals(generator.get("name"), configMap);
    assertTrue(strings(generator.get("literals")).stream().anyMatch(l -> l.startsWith("TEMPORAL_ADDRESS=")),
        "the Temporal address the worker reads (TemporalConnection: TEMPORAL_ADDRESS)");
    String image = (String) container.get("image");
    assertTrue(list(k.get("images")).stream().anyMatch(i -> image.equals(i.get("name"))),
        "the images entry retags the container's image " + image);
  }

  @Test
  void everyFileOfTheBaseIsListedAndEveryListedFileExists() throws IOException {
    @SuppressWarnings("unchecked")
    List<String> resources = (List<String>) kustomization().get("resources");
    Set<String> yamlFiles = new TreeSet<>();
    try (Stream<Path> files = Files.list(BASE)) {
      files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
          .forEach(yamlFiles::add);
    }
    assertEquals(yamlFiles, new TreeSet<>(resources));
  }
}

package ai.dynamo.deploy.render.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Map;

/** A rendering loaded as fabric8 objects, with look-ups for the tests. */
record Rendered(Rendering rendering, List<HasMetadata> objects) {
  static Rendered of(Graph graph) {
    return of(graph, Map.of());
  }

  static Rendered of(Graph graph, Map<String, String> settings) {
    Rendering rendering = K8sRenderer.render(graph, settings);
    return new Rendered(rendering, FabricModels.loadAll(rendering));
  }

  <T extends HasMetadata> T get(Class<T> kind, String name) {
    List<T> found =
        objects.stream().filter(kind::isInstance).map(kind::cast)
            .filter(o -> o.getMetadata().getName().equals(name)).toList();
    assertEquals(1, found.size(), kind.getSimpleName() + " " + name + " in " + names());
    return found.get(0);
  }

  List<String> names() {
    return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
  }

  RenderedFile file(String name) {
    return rendering.files().stream().filter(f -> f.relativePath().equals(name)).findFirst().orElseThrow();
  }

  static PodTemplateSpec template(HasMetadata workload) {
    if (workload instanceof Deployment d) return d.getSpec().getTemplate();
    if (workload instanceof StatefulSet s) return s.getSpec().getTemplate();
    if (workload instanceof Job j) return j.getSpec().getTemplate();
    throw new AssertionError("not a workload: " + workload.getKind());
  }

  static Container container(HasMetadata workload) {
    List<Container> containers = template(workload).getSpec().getContainers();
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  static EnvVar env(Container container, String name) {
    return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name));
  }
}

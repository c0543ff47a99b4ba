package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml at YAML level (no Docker engine on the build machine): the services the README promises,
 * their wiring, ports, and that everything they reference exists in the repository.
 */
class DockerComposeTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static Map<String, Object> services;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void load() throws IOException {
    try (Reader r = Files.newBufferedReader(ROOT.resolve("docker-compose.yml"))) {
      Map<String, Object> compose = new Yaml().load(r);
      services = (Map<String, Object>) compose.get("services");
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> service(String name) {
    Map<String, Object> s = (Map<String, Object>) services.get(name);
    assertTrue(s != null, "service " + name);
    return s;
  }

  @Test
  void hasTheWholeStack() {
    assertEquals(
        List.of("postgresql", "temporal-schema", "temporal", "temporal-setup", "temporal-ui", "dynamo-worker"),
        List.copyOf(services.keySet()));
  }

  @Test
  void usesTheServerImageWithSchemaSetUpByTheAdminTools() {
    services.values().forEach(s -> {
      Object image = ((Map<?, ?>) s).get("image");
      assertFalse(String.valueOf(image).contains("auto-setup"), "the deprecated auto-setup image: " + image);
    });
    assertTrue(String.valueOf(service("temporal").get("image")).startsWith("temporalio/server:"));
    assertTrue(String.valueOf(service("temporal-schema").get("image")).startsWith("temporalio/admin-tools:"));
    assertEquals("service_completed_successfully", condition("temporal", "temporal-schema"));
    assertEquals("service_healthy", condition("temporal-schema", "postgresql"));
  }

  @Test
  void publishesTemporalAndTheUi() {
    assertEquals(List.of("7233:7233"), service("temporal").get("ports"));
    assertEquals(List.of("8080:8080"), service("temporal-ui").get("ports"));
  }

  @Test
  void theWorkerIsBuiltFromTheRepositoryAndWaitsForSearchAttributes() {
    Map<?, ?> build = (Map<?, ?>) service("dynamo-worker").get("build");
    Path context = ROOT.resolve(String.valueOf(build.get("context"))).normalize();
    assertTrue(Files.isRegularFile(context.resolve(String.valueOf(build.get("dockerfile")))));
    assertEquals(List.of("worker"), service("dynamo-worker").get("command"));
    assertEquals("service_completed_successfully", condition("dynamo-worker", "temporal-setup"));
    Map<?, ?> env = (Map<?, ?>) service("dynamo-worker").get("environment");
    assertEquals("temporal:7233", env.get("TEMPORAL_ADDRESS"));
  }

  @Test
  void registersTheSearchAttributesTheClientSets() throws IOException {
    String script = Files.readString(ROOT.resolve("compose/setup-temporal.sh"));
    for (String attr : List.of("DynamoGraph:Keyword", "DynamoTarget:Keyword", "DynamoPhase:Keyword", "DynamoRevision:Int")) {
      assertTrue(script.contains(attr), attr);
    }
  }

  @Test
  void everyDependencyAndMountedScriptExists() {
    services.forEach((name, s) -> {
      Object deps = ((Map<?, ?>) s).get("depends_on");
      if (deps instanceof Map<?, ?> m) m.keySet().forEach(d -> assertTrue(services.containsKey(d), name + " -> " + d));
      Object volumes = ((Map<?, ?>) s).get("volumes");
      if (volumes instanceof List<?> list) {
        for (Object v : list) {
          String host = String.valueOf(v).split(":")[0];
          if (host.startsWith("./")) assertTrue(Files.exists(ROOT.resolve(host)), name + " mounts " + host);
        }
      }
      Object command = ((Map<?, ?>) s).get("command");
      if (command instanceof List<?> c && String.valueOf(c.get(0)).startsWith("/dynamo-compose/")) {
        Path script = ROOT.resolve("compose").resolve(String.valueOf(c.get(0)).substring("/dynamo-compose/".length()));
        assertTrue(Files.isExecutable(script), script.toString());
      }
    });
  }

  private static String condition(String service, String dependency) {
    Map<?, ?> deps = (Map<?, ?>) service(service).get("depends_on");
    return String.valueOf(((Map<?, ?>) deps.get(dependency)).get("condition"));
  }
}

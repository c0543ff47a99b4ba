package ai.dynamo.deploy.cli.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without -n, the kubeconfig context's namespace, found as kubectl finds it. */
class KubeconfigNamespaceTest {
  @TempDir Path dir;

  private Path kubeconfig(String name, String currentContext, String contexts) throws Exception {
    return Files.writeString(dir.resolve(name), "apiVersion: v1\nkind: Config\n"
        + (currentContext == null ? "" : "current-context: " + currentContext + "\n")
        + "contexts:\n" + contexts);
  }

  @Test
  void theCurrentOrTheGivenContextsNamespace() throws Exception {
    Path file = kubeconfig("config", "prod", """
        - name: prod
          context: {cluster: c, user: u, namespace: llm}
        - name: dev
          context: {cluster: c, user: u}
        """);
    assertEquals("llm", KubeconfigNamespace.of(file, null, Map.of()));
    assertNull(KubeconfigNamespace.of(file, "dev", Map.of()), "a context without a namespace names none");
    assertNull(KubeconfigNamespace.of(file, "missing", Map.of()));
    assertNull(KubeconfigNamespace.of(dir.resolve("absent"), null, Map.of()));
    assertNull(KubeconfigNamespace.of(Files.writeString(dir.resolve("broken"), "contexts: [\n"), null, Map.of()),
        "a broken file is the worker's to report");
  }

  @Test
  void aKubeconfigListMergesAsKubectlDoes() throws Exception {
    Path first = kubeconfig("a", null, """
        - name: shared
          context: {cluster: c, user: u, namespace: from-a}
        """);
    Path second = kubeconfig("b", "shared", """
        - name: shared
          context: {cluster: c, user: u, namespace: from-b}
        """);
    Map<String, String> env = Map.of("KUBECONFIG", first + ":" + second + "::");
    assertEquals("from-a", KubeconfigNamespace.of(null, null, env),
        "current-context from the first file that sets it, the context from the first that defines it");
    Path home = Files.createDirectories(dir.resolve("home/.kube"));
    kubeconfig("home/.kube/config", "h", "- name: h\n  context: {namespace: from-home}\n");
    assertEquals("from-home", KubeconfigNamespace.of(null, null, Map.of("HOME", dir.resolve("home").toString())));
    assertEquals(home.resolve("config"), KubeconfigNamespace.files(null, Map.of("HOME", dir.resolve("home").toString())).get(0));
  }
}

package ai.dynamo.deploy.cli.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One read of a --kubeconfig file serves both its identity and its namespace. */
class KubeconfigTest {
  @TempDir Path dir;

  @Test
  void identityAndNamespaceComeFromOneRead() throws Exception {
    Path file = Files.writeString(dir.resolve("config"), String.join("\n",
        "apiVersion: v1", "kind: Config",
        "clusters:", "- name: a", "  cluster: {server: \"https://10.0.0.1:6443\"}",
        "contexts:", "- name: prod", "  context: {cluster: a, user: u, namespace: llm}",
        "- name: dev", "  context: {cluster: a, user: u}",
        "current-context: prod", ""));
    Kubeconfig read = Kubeconfig.read(file);
    Files.delete(file); // neither may read the file again
    assertEquals(new KubeconfigIdentity("prod", "https://10.0.0.1:6443"), KubeconfigIdentity.of(read, null));
    assertEquals("llm", KubeconfigNamespace.of(List.of(read), null));
    assertNull(KubeconfigNamespace.of(List.of(read), "dev"));
    assertEquals("dev", KubeconfigIdentity.of(read, "dev").context());
  }

  @Test
  void anEmptyFileHasNoCurrentContextAndNoNamespace() throws Exception {
    Path file = Files.writeString(dir.resolve("empty"), "");
    UserError error = assertThrows(UserError.class, () -> KubeconfigIdentity.read(file, null));
    assertEquals(ExitCodes.INVALID, error.exitCode());
    assertEquals("error: --kubeconfig " + file + " has no current-context: pass --context", error.getMessage());
    assertNull(KubeconfigNamespace.of(file, null, java.util.Map.of()));
  }
}

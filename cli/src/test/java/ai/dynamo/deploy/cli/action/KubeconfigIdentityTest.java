package ai.dynamo.deploy.cli.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --kubeconfig read on the client (context and server only), the location it gives, and the spinner. */
class KubeconfigIdentityTest {
  @TempDir Path dir;

  private Path kubeconfig() throws Exception {
    return Files.writeString(dir.resolve("config"), String.join("\n",
        "apiVersion: v1", "kind: Config",
        "clusters:", "- name: a", "  cluster: {server: \"https://10.0.0.1:6443\"}",
        "- name: b", "  cluster: {server: \"https://api.b.example\"}",
        "users:", "- name: u", "  user: {token: never-leaves-the-client}",
        "contexts:", "- name: prod", "  context: {cluster: a, user: u}", "- name: lab", "  context: {cluster: b, user: u}",
        "current-context: prod", ""));
  }

  @Test
  void theContextAndItsServerAndNothingElse() throws Exception {
    Path file = kubeconfig();
    assertEquals(new KubeconfigIdentity("prod", "https://10.0.0.1:6443"), KubeconfigIdentity.read(file, null));
    KubeconfigIdentity lab = KubeconfigIdentity.read(file, "lab");
    assertEquals(Map.of("context", "lab", "server", "https://api.b.example"), lab.settings());
    assertEquals("api.b.example:443", KubeconfigIdentity.hostPort(lab.server()));
    TargetChoice choice = TargetChoice.of("k8s", null, Map.of("namespace", "llm", "context", "prod",
        "server", "https://10.0.0.1:6443"));
    assertEquals("10.0.0.1:6443/llm", choice.location(), "the cluster is part of the place");
    assertFalse(choice.spec().settings().toString().contains("never-leaves-the-client"));
  }

  @Test
  void aClusterEntryWithoutANameIsPassedOverNotACrash() throws Exception {
    Path file = Files.writeString(dir.resolve("nameless"), String.join("\n",
        "apiVersion: v1", "kind: Config",
        "clusters:", "- cluster: {server: \"https://stray.example\"}", "- name: a",
        "  cluster: {server: \"https://10.0.0.1:6443\"}",
        "contexts:", "- name: prod", "  context: {cluster: a}", "- name: none", "  context: {cluster: missing}",
        "current-context: prod", ""));
    assertEquals(new KubeconfigIdentity("prod", "https://10.0.0.1:6443"), KubeconfigIdentity.read(file, null));
    UserError missing = assertThrows(UserError.class, () -> KubeconfigIdentity.read(file, "none"));
    assertTrue(missing.getMessage().endsWith("context \"none\" names cluster \"missing\", which has no server"),
        missing.getMessage());
  }

  @Test
  void aMissingContextOrFileIsAUsageError() throws Exception {
    UserError context = assertThrows(UserError.class, () -> KubeconfigIdentity.read(kubeconfig(), "staging"));
    assertEquals(ExitCodes.INVALID, context.exitCode());
    assertTrue(context.getMessage().contains("has no context \"staging\" (contexts: prod, lab)"), context.getMessage());
    UserError file = assertThrows(UserError.class, () -> KubeconfigIdentity.read(dir.resolve("nope"), null));
    assertTrue(file.getMessage().startsWith("error: --kubeconfig " + dir.resolve("nope") + ": cannot read it"),
        file.getMessage());
  }

  @Test
  void theSpinnerSpinsOnlyOnATerminalAndClearsItsLine() {
    StringWriter quiet = new StringWriter();
    assertEquals("x", Spinner.around(new PrintWriter(quiet), false, "connecting", () -> "x"));
    assertEquals("", quiet.toString());
    StringWriter shown = new StringWriter();
    Spinner.around(new PrintWriter(shown), true, "connecting to Temporal at a:1", () -> {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    });
    assertTrue(shown.toString().contains("connecting to Temporal at a:1"), shown.toString());
    assertTrue(shown.toString().endsWith("\r\u001b[K"), "the line is cleared");
  }
}

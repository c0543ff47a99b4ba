package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.k8s.KubeConfigs;
import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.worker.DeployRegistration;
import io.fabric8.kubernetes.client.Config;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nothing waits silently, Kubernetes "down": no configuration anywhere (the kubeconfig property pointing at nothing,
 * no ~/.kube/config, not in a pod). Every verb that reaches the target ends with exit 4 naming the cause, the worker's
 * and the CLI's own reads alike. Isolated: the kubeconfig property is JVM-wide, and the Kubernetes test classes point
 * it at their mock API servers (it found one of theirs when the two ran at once).
 */
@Isolated
class NoKubernetesConfigurationCliTest {
  @TempDir static Path dir;
  static LocalService service;
  static String previousKubeconfig;
  static Path graph;

  @BeforeAll
  static void start() throws Exception {
    previousKubeconfig = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, dir.resolve("no-such-kubeconfig").toString());
    service = LocalService.start(0, DeployRegistration.production());
    graph = Files.writeString(dir.resolve("g.yaml"), String.join("\n", "version: 1", "name: deployed", "components:",
        "  - name: frontend", "    image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.4.0", "    cmd: [/bin/true]",
        "    run_config: {input: http, output: dyn}", ""));
  }

  @AfterAll
  static void stop() {
    service.shutdown(Duration.ofSeconds(5));
    if (previousKubeconfig == null) System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    else System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, previousKubeconfig);
  }

  static Stream<List<String>> kubernetesVerbs() {
    return BoundedFailureCliTest.targetVerbs(List.of("--target", "k8s", "-n", "llm"));
  }

  @ParameterizedTest
  @MethodSource("kubernetesVerbs")
  @Timeout(90)
  void everyVerbSaysThereIsNoConfiguration(List<String> verb) {
    CliRun run = run(verb, "--address", service.connection().address());
    assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), run.out() + run.err());
    assertTrue(run.err().contains(KubeConfigs.NONE), run.err());
  }

  /** history with flags that name the place reads the target itself: with Temporal gone too, the target is named. */
  @Test
  @Timeout(90)
  void historyWithTemporalGoneSaysSo() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    CliRun run = run(List.of("deploy", "history", "down", "--target", "k8s", "-n", "llm"), "--address",
        "127.0.0.1:" + closed);
    assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), run.out() + run.err());
    assertTrue(run.err().contains(KubeConfigs.NONE + " for this command"), run.err());
    assertFalse(run.err().contains("Temporal"), "Temporal is not asked: " + run.err());
  }

  private static CliRun run(List<String> verb, String... more) {
    List<String> args = new ArrayList<>();
    for (String a : verb) args.add(a.replace("GRAPH", graph.toString()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }
}

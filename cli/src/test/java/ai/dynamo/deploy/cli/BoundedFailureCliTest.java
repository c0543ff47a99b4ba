package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.worker.DeployRegistration;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nothing waits silently: every verb, against each dependency that does not answer, ends with exit code 4 and a
 * message naming the endpoint and the cause. The bounds are the code's (connect 10 s, requests 30 s; the target's
 * first contact is final); the {@code @Timeout}s only guard the tests. Temporal "down" is a socket that accepts and
 * never answers (the worst case: nothing refuses, so only a deadline ends the wait); SSH "down" a refused port;
 * Kubernetes "down", no configuration anywhere, is {@link NoKubernetesConfigurationCliTest}: it sets the JVM-wide
 * kubeconfig property, so it runs isolated, while these run beside other classes.
 */
@Execution(ExecutionMode.CONCURRENT)
class BoundedFailureCliTest {
  @TempDir static Path dir;
  static ServerSocket silent;
  static final List<Socket> accepted = new ArrayList<>();
  static LocalService service;
  static int closedPort;
  static Path graph;
  static Path key;
  static Path knownHosts;

  @BeforeAll
  static void start() throws Exception {
    silent = new ServerSocket(0);
    Thread acceptor = new Thread(() -> {
      try {
        while (true) accepted.add(silent.accept()); // accepted, never answered
      } catch (IOException closed) {
        // the test is over
      }
    }, "silent-temporal");
    acceptor.setDaemon(true);
    acceptor.start();
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    service = LocalService.start(0, DeployRegistration.production());
    // The deploy verb deploys "deployed"; the others act on "down": the tests run at once, and an uninstall of a
    // graph whose deploy runs is (rightly) refused.
    graph = Files.writeString(dir.resolve("g.yaml"), String.join("\n", "version: 1", "name: deployed", "components:",
        "  - name: frontend", "    image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.4.0", "    cmd: [/bin/true]",
        "    run_config: {input: http, output: dyn}", ""));
    key = Files.writeString(dir.resolve("id_ed25519"), "not a key: the connection is refused before it is read\n");
    knownHosts = Files.writeString(dir.resolve("known_hosts"), "");
  }

  @AfterAll
  static void stop() throws IOException {
    silent.close();
    for (Socket s : accepted) s.close();
    service.shutdown(Duration.ofSeconds(5));
  }

  /** Each verb as a user types it (a graph name; no target flags unless the verb needs them). */
  static Stream<List<String>> temporalVerbs() {
    return Stream.of(
        List.of("deploy", "--target", "fake", "-f", "GRAPH", "--wait"),
        List.of("deploy", "status", "down"),
        List.of("deploy", "list"),
        List.of("deploy", "cancel", "down"),
        List.of("deploy", "retry", "down"),
        List.of("deploy", "rollback", "down"),
        List.of("deploy", "abort", "down"),
        List.of("deploy", "history", "down"),
        List.of("deploy", "uninstall", "down"),
        List.of("deploy", "logs", "down", "frontend"),
        List.of("deploy", "diff", "-f", "GRAPH"),
        List.of("worker"));
  }

  @ParameterizedTest
  @MethodSource("temporalVerbs")
  @Timeout(60)
  void temporalThatNeverAnswers(List<String> verb) {
    String address = "127.0.0.1:" + silent.getLocalPort();
    CliRun run = run(verb, "--address", address);
    assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), run.out() + run.err());
    assertTrue(run.err().startsWith("error: cannot reach Temporal at " + address + " (namespace default): "),
        run.err());
    assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
  }

  /** The verbs that reach a target, at the place {@code place} names. */
  static Stream<List<String>> targetVerbs(List<String> place) {
    return Stream.of(
        with(List.of("deploy", "-f", "GRAPH", "--wait"), place),
        with(List.of("deploy", "history", "down"), place),
        with(List.of("deploy", "rollback", "down", "--to-revision", "1"), place),
        with(List.of("deploy", "uninstall", "down", "--wait"), place),
        with(List.of("deploy", "logs", "down", "frontend"), place),
        with(List.of("deploy", "diff", "-f", "GRAPH"), place));
  }

  /** A Slurm login on a refused port. */
  static final List<String> SLURM_DOWN = List.of("--target", "slurm", "--ssh-host", "dynops@127.0.0.1:PORT",
      "--ssh-key", "KEY", "--known-hosts", "KNOWN_HOSTS");

  static Stream<List<String>> slurmVerbs() {
    return targetVerbs(SLURM_DOWN);
  }

  @ParameterizedTest
  @MethodSource("slurmVerbs")
  @Timeout(90)
  void sshHostDown(List<String> verb) {
    CliRun run = run(verb, "--address", service.connection().address());
    assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), run.out() + run.err());
    assertTrue(run.err().contains("127.0.0.1:" + closedPort) && run.err().contains("Connection refused"), run.err());
  }

  /** history with flags that name the place reads the target itself: with Temporal gone too, the target is named. */
  @ParameterizedTest
  @MethodSource("placesDown")
  @Timeout(90)
  void historyWithTemporalGoneNamesTheTarget(List<String> place, String named) {
    CliRun run = run(with(List.of("deploy", "history", "down"), place), "--address", "127.0.0.1:" + closedPort);
    assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), run.out() + run.err());
    assertTrue(run.err().contains(named.replace("PORT", Integer.toString(closedPort))), run.err());
    assertFalse(run.err().contains("Temporal"), "Temporal is not asked: " + run.err());
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> placesDown() {
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of(SLURM_DOWN, "127.0.0.1:PORT"));
  }

  static List<String> with(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static CliRun run(List<String> verb, String... more) {
    List<String> args = new ArrayList<>();
    for (String a : verb) {
      args.add(a.replace("GRAPH", graph.toString()).replace("PORT", Integer.toString(closedPort))
          .replace("KNOWN_HOSTS", knownHosts.toString()).replace("KEY", key.toString()));
    }
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }
}

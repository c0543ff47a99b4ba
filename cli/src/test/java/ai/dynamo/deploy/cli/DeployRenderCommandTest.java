package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.ExampleGraphs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dynamo deploy --out_dir}: the render mode, through the picocli layer. */
class DeployRenderCommandTest {
  @TempDir Path dir;

  private Path demo() throws IOException {
    return Files.writeString(dir.resolve("demo.yaml"), ExampleGraphs.text(ExampleGraphs.DEMO));
  }

  @Test
  void anInvalidGraphPrintsEveryProblemExitsTwoAndWritesNothing() throws IOException {
    Path graph = Files.writeString(dir.resolve("bad.yaml"), """
        version: 1
        name: bad
        components:
          - name: a
            run_config: {input: http, output: dyn}
            replicas: -1
          - name: b
            image: "..."
            run_config: {input: http, output: dyn}
            replicas: many
        """);
    Path out = dir.resolve("out");
    CliRun run = CliRun.of("deploy", "--target", "k8s", "-f", graph.toString(), "--out_dir", out.toString());
    assertEquals(ExitCodes.INVALID, run.exitCode(), run.err());
    List<String> lines = run.err().lines().toList();
    assertTrue(lines.size() >= 2, "one line per problem: " + run.err());
    for (String line : lines) assertTrue(line.startsWith(graph + ":"), "problem line names the file: " + line);
    assertTrue(run.err().contains(":6:"), "the replicas problem carries its line: " + run.err());
    assertFalse(Files.exists(out), "nothing written");
    assertFalse(run.err().contains("Exception"), run.err());
  }

  @Test
  void aFileAsOutputDirectoryIsRefused() throws IOException {
    Path file = Files.writeString(dir.resolve("taken"), "x");
    CliRun run = CliRun.of("deploy", "-f", demo().toString(), "--out-dir", file.toString());
    assertEquals(ExitCodes.INVALID, run.exitCode(), run.err());
    assertTrue(run.err().contains("not a directory"), run.err());
  }

  @Test
  void aSettingOfTheOtherTargetIsAUsageError() throws IOException {
    CliRun run = CliRun.of("deploy", "--target", "k8s", "--partition", "gpu", "-f", demo().toString(),
        "--out_dir", dir.resolve("o").toString());
    assertEquals(ExitCodes.INVALID, run.exitCode());
    assertTrue(run.err().contains("partition"), run.err());
  }

  @Test
  void missingFileFlagAndUnknownTargetAreUsageErrors() throws IOException {
    assertEquals(ExitCodes.INVALID, CliRun.of("deploy", "--out_dir", dir.toString()).exitCode());
    CliRun unknown = CliRun.of("deploy", "--target", "nomad", "-f", demo().toString(), "--out_dir", dir.toString());
    assertEquals(ExitCodes.INVALID, unknown.exitCode());
    assertTrue(unknown.err().contains("k8s, slurm"), unknown.err());
    assertEquals(ExitCodes.INVALID, CliRun.of("deploy", "--no-such-flag").exitCode());
  }

  /** Needs the real renderers (branches k8s and slurm): the placeholders on main throw. */
  @Test
  void rendersTheDemoForBothTargetsByteIdenticallyAndPrintsEachPath() throws IOException {
    Path graph = demo();
    Path profile = Files.writeString(dir.resolve("profile.yaml"), "slurm:\n  partition: gpu\n  account: ml\n");
    for (String target : List.of("k8s", "slurm")) {
      Path out = dir.resolve(target + "_deployment");
      CliRun first = CliRun.of("deploy", "--target", target, "-f", graph.toString(), "--out_dir=" + out,
          "--profile", profile.toString());
      assertEquals(ExitCodes.OK, first.exitCode(), first.err());
      List<Path> files = files(out);
      assertFalse(files.isEmpty());
      assertEquals(files.stream().map(Path::toString).sorted().toList(), first.out().lines().sorted().toList(),
          "prints each path written, and only those");
      List<byte[]> before = files.stream().map(DeployRenderCommandTest::bytes).toList();
      CliRun second = CliRun.of("deploy", "--target", target, "-f", graph.toString(), "--out_dir=" + out,
          "--profile", profile.toString());
      assertEquals(ExitCodes.OK, second.exitCode(), second.err());
      assertEquals(files, files(out));
      for (int i = 0; i < files.size(); i++) assertArrayEquals(before.get(i), bytes(files.get(i)), files.get(i).toString());
    }
    String slurmText = String.join("\n", files(dir.resolve("slurm_deployment")).stream().map(p -> new String(bytes(p))).toList());
    assertTrue(slurmText.contains("gpu"), "the profile's partition reaches the scripts");
  }

  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  private static byte[] bytes(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void withoutNamespaceTheCallersKubeconfigContextNamesIt() throws IOException {
    Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), String.join("\n", "apiVersion: v1", "kind: Config",
        "current-context: dev", "contexts: [{name: dev, context: {cluster: c, user: u, namespace: team-llm}}]", ""));
    Path out = dir.resolve("ns-out");
    // The caller's environment, as the daemon gets it from a client, not this JVM's.
    ai.dynamo.deploy.cli.action.Invocation caller = new ai.dynamo.deploy.cli.action.Invocation(
        Map.of("KUBECONFIG", kubeconfig.toString(), "HOME", dir.toString()), dir, false,
        ai.dynamo.deploy.cli.action.Invocation.FRESH);
    java.io.StringWriter err = new java.io.StringWriter();
    int code = Main.run(new String[] {"deploy", "--target", "k8s", "-f", demo().toString(), "--out_dir", out.toString()},
        new java.io.PrintWriter(new java.io.StringWriter(), true), new java.io.PrintWriter(err, true), caller);
    assertEquals(ExitCodes.OK, code, err.toString());
    assertTrue(Files.readString(out.resolve("frontend.yaml")).contains("namespace: team-llm"));
    assertFalse(Files.readString(out.resolve("frontend.yaml")).contains("namespace: default"));
  }
}

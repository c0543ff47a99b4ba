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

  /** The startup probes allow what {@code --timeout} allows, the same for files as for a deploy. */
  @Test
  void theTimeoutIsRenderedIntoTheStartupProbes() throws IOException {
    Path graph = demo();
    CliRun byDefault = CliRun.of("deploy", "--target", "k8s", "-f", graph.toString(), "--out_dir", dir + "/a");
    CliRun threeHours = CliRun.of("deploy", "--target", "k8s", "-f", graph.toString(), "--out_dir", dir + "/b",
        "--timeout", "3h");
    assertEquals(ExitCodes.OK, byDefault.exitCode(), byDefault.err());
    assertEquals(ExitCodes.OK, threeHours.exitCode(), threeHours.err());
    String a = Files.readString(dir.resolve("a/frontend.yaml"));
    String b = Files.readString(dir.resolve("b/frontend.yaml"));
    assertTrue(a.contains("failureThreshold: 540") && a.contains("progressDeadlineSeconds: 6000"), a);
    assertTrue(b.contains("failureThreshold: 1080") && b.contains("progressDeadlineSeconds: 11400"), b);
    CliRun tooLong = CliRun.of("deploy", "--target", "k8s", "-f", graph.toString(), "--out_dir", dir + "/c",
        "--timeout", "9000h");
    assertEquals(ExitCodes.INVALID, tooLong.exitCode(), tooLong.err());
    assertTrue(tooLong.err().contains("--timeout 9000h"), tooLong.err());
  }

  /** The files a render writes: all but its record of them. */
  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(".dynamo-rendered"))
          .sorted().toList();
    }
  }

  /**
   * Rendering the demo, then the demo without its multi-node group, into one directory leaves exactly the second
   * render's files (and the user's README); a bad graph afterwards changes nothing. Both targets.
   */
  @Test
  void aRerenderLeavesExactlyItsOwnFilesRemovesTheEarlierOnesAndKeepsTheUsers() throws IOException {
    String demo = ExampleGraphs.text(ExampleGraphs.DEMO);
    Path full = demo();
    Path smaller = Files.writeString(dir.resolve("smaller.yaml"), demo.substring(0, demo.indexOf("  - name: sglang_group")));
    Path bad = Files.writeString(dir.resolve("bad.yaml"), demo.replace("replicas: 2", "replicas: many"));
    for (String target : List.of("k8s", "slurm")) {
      Path out = Files.createDirectories(dir.resolve(target + "-out"));
      Files.writeString(out.resolve("README.md"), "how we deploy\n");
      assertEquals(ExitCodes.OK, render(target, full, out).exitCode());
      List<Path> sglang = files(out).stream().filter(p -> p.toString().contains("sglang")).toList();
      assertFalse(sglang.isEmpty(), target + ": the group was rendered");

      CliRun second = render(target, smaller, out);
      assertEquals(ExitCodes.OK, second.exitCode(), second.err());
      List<Path> written = second.out().lines().map(Path::of).sorted().toList();
      List<Path> expected = new java.util.ArrayList<>(written);
      expected.add(out.resolve("README.md"));
      assertEquals(expected.stream().sorted().toList(), files(out), target + ": exactly this render's files");
      for (Path p : sglang) assertTrue(second.err().contains("removed " + p), target + ": says so: " + second.err());
      for (Path p : sglang) {
        assertTrue(p.getParent().equals(out) || !Files.exists(p.getParent()), p + ": an emptied job directory goes too");
      }

      List<byte[]> before = files(out).stream().map(DeployRenderCommandTest::bytes).toList();
      CliRun failed = render(target, bad, out);
      assertEquals(ExitCodes.INVALID, failed.exitCode(), failed.err());
      assertEquals(expected.stream().sorted().toList(), files(out), target + ": a failed render changes nothing");
      for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), bytes(files(out).get(i)));
    }
  }

  @Test
  void jsonOutputListsTheRemovedFiles() throws IOException {
    String demo = ExampleGraphs.text(ExampleGraphs.DEMO);
    Path smaller = Files.writeString(dir.resolve("smaller.yaml"), demo.substring(0, demo.indexOf("  - name: sglang_group")));
    Path out = dir.resolve("out");
    assertEquals(ExitCodes.OK, render("k8s", demo(), out).exitCode());
    CliRun run = CliRun.of("deploy", "--target", "k8s", "-f", smaller.toString(), "--out_dir", out.toString(),
        "-o", "json");
    assertEquals(ExitCodes.OK, run.exitCode(), run.err());
    java.util.Map<?, ?> doc = new com.fasterxml.jackson.databind.ObjectMapper().readValue(run.out(), java.util.Map.class);
    assertEquals(List.of(out.resolve("sglang-group.yaml").toString()), doc.get("removed"), run.out());
  }

  @Test
  void aManifestNotRenderedHereIsRefusedByName() throws IOException {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("other-graph.yaml"), "kind: ConfigMap\n");
    CliRun run = render("k8s", demo(), out);
    assertEquals(ExitCodes.INVALID, run.exitCode(), run.err());
    assertTrue(run.err().contains("did not render there: other-graph.yaml"), run.err());
    assertFalse(run.err().contains("Exception"), run.err());
    assertEquals(List.of(out.resolve("other-graph.yaml")), files(out), "nothing written");
  }

  private CliRun render(String target, Path graph, Path out) throws IOException {
    Path profile = Files.writeString(dir.resolve("profile.yaml"), "slurm:\n  partition: gpu\n");
    return CliRun.of("deploy", "--target", target, "-f", graph.toString(), "--out_dir", out.toString(),
        "--profile", profile.toString());
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
        ai.dynamo.deploy.cli.action.Invocation.FRESH, ai.dynamo.deploy.cli.action.Invocation.OWN_PROCESS);
    java.io.StringWriter err = new java.io.StringWriter();
    int code = Main.run(new String[] {"deploy", "--target", "k8s", "-f", demo().toString(), "--out_dir", out.toString()},
        new java.io.PrintWriter(new java.io.StringWriter(), true), new java.io.PrintWriter(err, true), caller);
    assertEquals(ExitCodes.OK, code, err.toString());
    assertTrue(Files.readString(out.resolve("frontend.yaml")).contains("namespace: team-llm"));
    assertFalse(Files.readString(out.resolve("frontend.yaml")).contains("namespace: default"));
  }
}

package ai.dynamo.deploy.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rules that are about what a valid graph becomes (the bad corpus covers what invalid ones say). */
class ValidationRulesTest {

  private static final String HEAD = "version: 1\nname: g\ncomponents:\n";

  private static LoadResult load(String yaml) {
    return GraphLoader.load("g.yaml", yaml, null);
  }

  private static Component only(String componentBody) {
    LoadResult r = load(HEAD + "  - name: w\n" + componentBody);
    assertTrue(r.ok(), () -> r.problems().stream().map(Problem::format).toList().toString());
    return r.graph().components().get(0);
  }

  private static List<String> formatted(LoadResult r) {
    return r.problems().stream().map(Problem::format).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "1.0", "\"1.0\"", "'1'", "1.00"})
  void acceptedVersions(String version) {
    LoadResult r = load("version: " + version + "\nname: g\ncomponents:\n  - name: w\n    run_config: {input: http, output: dyn}\n");
    assertTrue(r.ok(), r.problems()::toString);
    assertEquals("1.0", r.graph().version());
  }

  @Test
  void parametersFromAllThreePlacesMergeInTheOrderWritten() {
    Component c = only("""
            run_config:
              input: dyn://ns.backend.generate
              output: vllm
              model_path: m
              parameters:
                context_length: 8192
                model_path: m
              enforce_eager: true
            parameters:
              gpu_memory_utilization: 0.90
              max_num_seqs: 0x10
              trust_remote_code: yes
              served_model_name: 1_000
            resources: {gpu: 1}
        """);
    assertEquals(List.of(
        new Parameter("model_path", "m", Parameter.Type.STRING),
        new Parameter("context_length", "8192", Parameter.Type.INTEGER),
        new Parameter("enforce_eager", "true", Parameter.Type.BOOLEAN),
        new Parameter("gpu_memory_utilization", "0.90", Parameter.Type.FLOAT),
        new Parameter("max_num_seqs", "16", Parameter.Type.INTEGER),
        new Parameter("trust_remote_code", "true", Parameter.Type.BOOLEAN),
        new Parameter("served_model_name", "1000", Parameter.Type.INTEGER)), c.parameters());
  }

  @Test
  void theSameParameterTwiceWithTheSameValueIsFineButTypesMustAgree() {
    assertEquals("8080", only("    run_config: {input: http, output: dyn, port: 8080}\n    parameters: {port: 8080}\n")
        .parameter("port").value());
    LoadResult r = load(HEAD + "  - name: w\n    run_config: {input: http, output: dyn, port: 8080}\n    parameters: {port: \"8080\"}\n");
    assertEquals(List.of("g.yaml:6:18: components[0].parameters.port: parameter \"port\" is given twice with different values: "
        + "8080 at components[0].run_config.port (line 5, column 44) and \"8080\" here"), formatted(r));
  }

  @Test
  void multiNodeKeysLeaveTheParametersForMultiNode() {
    Component c = only("""
            run_config: {input: dyn://ns.b.g, output: trtllm, num_nodes: 4, leader_addr: "[fd00::1]:5000"}
            parameters: {node_rank: 3, tensor_parallel_size: 32}
            resources: {gpu: 8}
        """);
    assertEquals(new MultiNode(4, 3, "[fd00::1]:5000"), c.multiNode());
    assertEquals(List.of(new Parameter("tensor_parallel_size", "32", Parameter.Type.INTEGER)), c.parameters());
    assertEquals(32, c.totalGpus());
  }

  @Test
  void defaultsWhenOptionalFieldsAreLeftOut() {
    Component c = only("    run_config: {input: text, output: echo}\n");
    assertEquals(Component.DEFAULT_CMD, c.cmd());
    assertEquals(1, c.replicas());
    assertEquals(Resources.NONE, c.resources());
    assertEquals(MultiNode.SINGLE, c.multiNode());
    assertNull(c.image());
    assertNull(c.readiness());
    assertEquals(List.of(), c.environment());
    assertEquals(List.of(), c.secrets());
    assertTrue(c.nodeSelector().isEmpty());
  }

  @Test
  void readinessBlocks() {
    assertEquals(new Readiness(Readiness.Type.TCP, 9000, null),
        only("    run_config: {input: http, output: dyn}\n    readiness: {tcp: {port: 9000}}\n").readiness());
    assertEquals(new Readiness(Readiness.Type.HTTP, 8080, "/"),
        only("    run_config: {input: http, output: dyn}\n    readiness: {http: {port: 8080}}\n").readiness());
    assertEquals(new Readiness(Readiness.Type.RUNNING, null, null),
        only("    run_config: {input: http, output: dyn}\n    readiness: {running: true}\n").readiness());
    assertEquals(5, only("    run_config: {input: http, output: dyn}\n    readiness: {running: true}\n").readiness()
        .runningSeconds(), "running: true keeps meaning 5 s");
    Readiness stated = only("    run_config: {input: http, output: dyn}\n    readiness: {running: {seconds: 30}}\n")
        .readiness();
    assertEquals(new Readiness(Readiness.Type.RUNNING, null, null, 30), stated);
    assertEquals(30, stated.runningSeconds());
    assertEquals(0, only("    run_config: {input: http, output: dyn}\n    readiness: {running: {seconds: 0}}\n")
        .readiness().runningSeconds());
  }

  @Test
  void quantitiesInTheirUsualSpellings() {
    assertEquals(new Resources("10", "512Mi", 0), only("    run_config: {input: http, output: dyn}\n    resources: {cpu: 10, memory: 512Mi}\n").resources());
    assertEquals(new Resources("1.5", "16G", 0), only("    run_config: {input: http, output: dyn}\n    resources: {cpu: \"1.5\", memory: 16G}\n").resources());
    assertEquals(new Resources("500m", "1073741824", 0), only("    run_config: {input: http, output: dyn}\n    resources: {cpu: 500m, memory: 1073741824}\n").resources());
  }

  @Test
  void environmentKeepsLiteralTextAndSecretReferences() {
    Component c = only("""
            run_config: {input: http, output: dyn}
            environment:
              A: yes
              B: 0x10
              C: "${{secrets.HF_TOKEN}}"
              D: "${{   secrets.Other_1   }}"
        """);
    assertEquals(List.of(EnvVar.literal("A", "yes"), EnvVar.literal("B", "0x10"), EnvVar.secret("C", "HF_TOKEN"),
        EnvVar.secret("D", "Other_1")), c.environment());
  }

  @Test
  void mergeKeysAndAnchorsWork() {
    LoadResult r = load("""
        version: 1
        name: g
        defaults: &defaults
          run_config: {input: dyn://ns.b.g, output: vllm}
          resources: {gpu: 1}
        components:
          - <<: *defaults
            name: a
          - <<: *defaults
            name: b
        """);
    // "defaults" is not an IR key: anchors must live inside known fields or be reported.
    assertEquals(List.of("g.yaml:3:1: defaults: unknown key \"defaults\" (valid: version, name, components)"), formatted(r));
    LoadResult ok = load("""
        version: 1
        name: g
        components:
          - name: a
            run_config: &rc {input: dyn://ns.b.g, output: vllm}
            resources: &res {gpu: 1}
          - name: b
            run_config: *rc
            resources:
              <<: *res
              memory: 2Gi
        """);
    assertTrue(ok.ok(), ok.problems()::toString);
    assertEquals(new Resources(null, "2Gi", 1), ok.graph().components().get(1).resources());
  }

  @Test
  void warningsDoNotFail() {
    LoadResult r = load(HEAD + """
          - name: w
            run_config: {input: dyn://ns.b.g, output: vllm, leader_addr: "10.0.0.1:5000"}
            environment: {API_TOKEN: plain-text-value}
        """);
    assertTrue(r.ok());
    assertEquals(List.of(
        "g.yaml:5:39: components[0].run_config.output: warning: engine vllm normally needs GPUs, but resources.gpu is 0",
        "g.yaml:5:53: components[0].run_config.leader_addr: warning: leader_addr has no effect on a single-node component (num_nodes is 1)",
        "g.yaml:6:19: components[0].environment.API_TOKEN: warning: API_TOKEN has a literal value; write \"${{ secrets.API_TOKEN }}\" so the value stays out of rendered files and logs"),
        formatted(r));
    assertFalse(String.join("\n", formatted(r)).contains("plain-text-value"), "an environment value must never be echoed");
  }

  @Test
  void aComponentFieldIndentedUnderParametersIsNamed() {
    LoadResult r = load(HEAD + """
          - name: w
            run_config: {input: http, output: dyn}
            parameters:
              port: 8000
              replicas: 2
              resources: {gpu: 1}
        """);
    assertEquals(List.of(
        "g.yaml:8:7: components[0].parameters.replicas: warning: engine parameter \"replicas\" (passed to the engine as"
            + " a flag); if you meant the component's \"replicas\", write it beside \"parameters\", not inside",
        "g.yaml:9:7: components[0].parameters.resources: parameter values must be scalars (a string, number or boolean),"
            + " got a mapping; if you meant the component's \"resources\", write it beside \"parameters\", not inside"),
        formatted(r));
    LoadResult plain = load(HEAD + "  - name: w\n    run_config: {input: http, output: dyn}\n    parameters: {port: 8000}\n");
    assertEquals(List.of(), formatted(plain));
  }

  @Test
  void environmentValuesAreNeverQuotedInErrors() {
    LoadResult r = load(HEAD + "  - name: w\n    run_config: {input: http, output: dyn}\n    environment: {X: \"hunter2 ${{ secrets.A }}\"}\n");
    assertFalse(r.ok());
    assertFalse(formatted(r).toString().contains("hunter2"));
  }

  @Test
  void problemsComeOrderedByPositionWithFileProblemsFirst() {
    LoadResult r = load("name: 5\nversion: 9\ncomponents: []\n");
    assertEquals(List.of(
        "g.yaml:1:1: name: expected the graph name as a string, got 5",
        "g.yaml:2:1: version: unsupported IR version 9 (supported: 1, 1.0, \"1.0\")",
        "g.yaml:3:1: components: a graph needs at least one component"), formatted(r));
  }

  @Test
  void problemFormatWithAndWithoutPosition() {
    assertEquals("g.yaml: no such file", Problem.fileError("g.yaml", "no such file").format());
    assertEquals("g.yaml:3:7: a.b: bad", Problem.error("g.yaml", 3, 7, "a.b", "bad").format());
    assertEquals("g.yaml:3:7: a.b: warning: odd", Problem.warning("g.yaml", 3, 7, "a.b", "odd").format());
    assertEquals("g.yaml:3:7: bad", Problem.error("g.yaml", 3, 7, "", "bad").format());
  }

  @Test
  void targetNames() {
    assertEquals(Target.K8S, Target.parse("k8s"));
    assertEquals(Target.SLURM, Target.parse("SLURM"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Target.parse("nomad"));
    assertEquals("unknown target \"nomad\" (valid: k8s, slurm)", e.getMessage());
  }

  @Test
  void missingFile(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");
    assertEquals(List.of(missing + ": no such file"), formatted(GraphLoader.load(missing)));
  }

  @Test
  void oversizedFileIsRefusedBeforeParsing(@TempDir Path dir) throws IOException {
    Path big = dir.resolve("big.yaml");
    Files.write(big, ("# " + "x".repeat(YamlSource.MAX_BYTES) + "\n").getBytes(StandardCharsets.US_ASCII));
    assertEquals(List.of(big + ": file is larger than the limit of 1048576 bytes (1 MiB); a graph file is a few kilobytes"),
        formatted(GraphLoader.load(big)));
  }

  @Test
  void byteOrderMarkIsAccepted(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("bom.yaml");
    Files.write(f, ("\uFEFF" + HEAD + "  - name: w\n    run_config: {input: http, output: dyn}\n").getBytes(StandardCharsets.UTF_8));
    assertTrue(GraphLoader.load(f).ok());
  }

  @Test
  void targetChecksRunOnlyWhenTheGraphIsOtherwiseValid() {
    LoadResult r = GraphLoader.load("g.yaml", HEAD + "  - name: w\n    run_config: {input: http, output: dyn}\n    replicas: 0\n", Target.K8S);
    assertEquals(List.of("g.yaml:6:5: components[0].replicas: expected a positive integer, got 0"), formatted(r));
  }

  @Test
  void veryLongLinesAreRefusedBeforeParsing() {
    LoadResult r = load(HEAD + "  - name: w\n    run_config: {input: http, output: dyn}\n# " + "x".repeat(YamlSource.MAX_LINE_CHARS) + "\n");
    assertEquals(List.of("g.yaml:6:16385: line is longer than the limit of 16384 characters"), formatted(r));
  }

  @Test
  void thousandsOfProblemsAreCutToAScreenfulWithACount() {
    StringBuilder yaml = new StringBuilder(HEAD + "  - name: w\n    run_config: {input: http, output: dyn}\n    parameters:\n");
    for (int i = 0; i < 300; i++) yaml.append("      port: ").append(i).append('\n');
    List<Problem> problems = load(yaml.toString()).problems();
    assertEquals(GraphLoader.MAX_PROBLEMS + 1, problems.size());
    assertEquals("g.yaml:8:7: components[0].parameters.port: duplicate key \"port\" (first given at line 7, column 7)", problems.get(0).format());
    assertEquals("g.yaml: 99 more problems not shown (only the first 200 are listed)", problems.get(200).format());
  }

  @Test
  void everyProblemStaysOnOneLine() {
    LoadResult r = load("version: 1\nname: \"two\\nlines\"\ncomponents:\n  - name: w\n    run_config: {input: http, output: dyn}\n    \"bad\\tkey\": 1\n");
    assertEquals(List.of(
        "g.yaml:2:1: name: graph name \"two\\nlines\" may contain only letters, digits, '_', '-' and '.'",
        "g.yaml:6:5: components[0].bad\\tkey: unknown key \"bad\\tkey\" (valid: name, image, cmd, run_config, parameters, replicas,"
            + " resources, environment, secrets, node_selector, readiness; engine parameters go in run_config or parameters)"),
        formatted(r));
  }

  @Test
  void aDuplicateKeyCountsOnceWithItsFirstValue() {
    LoadResult r = load(HEAD + "  - name: w\n    run_config:\n      input: http\n      input: grpc\n      output: dyn\n");
    assertEquals(List.of("g.yaml:7:7: components[0].run_config.input: duplicate key \"input\" (first given at line 6, column 7)"),
        formatted(r));
  }

  @Test
  void digestIsStableAndFollowsTheContent() {
    String text = ExampleGraphs.text(ExampleGraphs.REFERENCE);
    Graph a = GraphLoader.load("a.yaml", text, null).graph();
    Graph b = GraphLoader.load("b.yaml", text, null).graph();
    Graph c = GraphLoader.load("c.yaml", text.replace("replicas: 5", "replicas: 4"), null).graph();
    assertEquals(GraphDigest.sha256(a), GraphDigest.sha256(b));
    assertFalse(GraphDigest.sha256(a).equals(GraphDigest.sha256(c)));
  }

  @Test
  void hugeNumbersAreOutOfRangeNotMalformed() {
    LoadResult r = load(HEAD + "  - name: w\n    run_config: {input: dyn://a.b.c, output: vllm, tensor_parallel_size: 99999999999999999999}\n"
        + "    replicas: 99999999999999999999\n    resources: {gpu: 2}\n"
        + "  - name: v\n    run_config: {input: http, output: dyn}\n    resources: {gpu: 99999999999999999999}\n");
    assertEquals(List.of(
        "g.yaml:5:52: components[0].run_config.tensor_parallel_size: tensor_parallel_size 99999999999999999999 is larger than"
            + " gpu x num_nodes = 2 x 1 = 2",
        "g.yaml:6:5: components[0].replicas: expected at most 1000, got 99999999999999999999",
        "g.yaml:10:17: components[1].resources.gpu: gpu is per node; 99999999999999999999 is more than any node has (the limit is 1024)"),
        formatted(r));
  }

  @Test
  void longKeysAreCutShortInMessages() {
    String key = "k".repeat(500);
    LoadResult r = load(HEAD + "  - name: w\n    run_config: {input: http, output: dyn}\n    " + key + ": 1\n");
    String message = r.errors().get(0).message();
    assertTrue(message.startsWith("unknown key \"" + "k".repeat(57) + "...\" (valid: "), message);
  }
}

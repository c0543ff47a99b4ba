package ai.dynamo.deploy.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * schema/graph-v1.schema.json and the validator agree: the examples pass both; every bad corpus file fails both,
 * except the ones whose rule JSON Schema cannot state (marked in their .expected file), which only the validator
 * refuses.
 */
class SchemaAgreementTest {
  private static Schema schema;
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void loadSchema() throws IOException {
    try (InputStream in = SchemaAgreementTest.class.getResourceAsStream("/schema/graph-v1.schema.json")) {
      schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
          .getSchema(new String(in.readAllBytes(), StandardCharsets.UTF_8), InputFormat.JSON);
    }
  }

  /** The YAML as plain data, the way an editor's YAML language server sees it, as JSON text. */
  private static String asJson(String yaml) {
    Object data = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    try {
      return JSON.writeValueAsString(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Error> schemaErrors(String yaml) {
    return schema.validate(asJson(yaml), InputFormat.JSON);
  }

  static final List<String> goodExamples = ExampleGraphs.ALL;

  @ParameterizedTest
  @FieldSource("goodExamples")
  void examplesPassBoth(String name) {
    String yaml = ExampleGraphs.text(name);
    assertEquals(List.of(), schemaErrors(yaml));
    assertTrue(GraphLoader.load(name, yaml, null).ok());
  }

  static Stream<BadGraphCorpus> expressible() {
    return BadGraphCorpus.all().filter(BadGraphCorpus::schemaExpressible);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expressible")
  void badFilesFailBoth(BadGraphCorpus c) throws IOException {
    assertFalse(GraphLoader.load(c.file(), c.target()).ok());
    String yaml = Files.readString(c.file(), StandardCharsets.UTF_8);
    assertFalse(schemaErrors(yaml).isEmpty(), c.name() + " passes the schema but not the validator");
  }

  @Test
  void mostOfTheCorpusIsExpressibleInTheSchema() {
    long all = BadGraphCorpus.all().count();
    long expressible = expressible().count();
    assertTrue(expressible >= 40, "only " + expressible + " of " + all + " bad files are checked against the schema");
  }

  @Test
  void seedShapedGraphWithPlaceholderImagesPassesTheTargetAgnosticSchema() {
    String seedLike = ExampleGraphs.text(ExampleGraphs.REFERENCE).replace("image: nvcr.io/nvidia/ai-dynamo/sglang-runtime:0.4.0", "image: ...");
    assertEquals(List.of(), schemaErrors(seedLike));
  }

  private static final String ECHO = "components:\n  - name: w\n    run_config: {input: text, output: echo}\n";

  /** Small valid graphs at the edges of the rules: the schema must not be stricter than the validator. */
  static Stream<Arguments> goodVariants() {
    return Stream.of(
        Arguments.of("version as the string '1'", "version: '1'\nname: g\n" + ECHO),
        Arguments.of("version 1.00", "version: 1.00\nname: g\n" + ECHO),
        Arguments.of("name with '_' and '.'", "version: \"1.0\"\nname: g_1.x\n" + ECHO),
        Arguments.of("anchors and aliases", """
            version: 1
            name: g
            components:
              - name: w
                run_config: &rc {input: text, output: echo}
              - name: v
                run_config: *rc
                resources: {cpu: 0.5, memory: 1073741824}
            """),
        Arguments.of("every optional field at an edge", """
            version: 1
            name: g
            components:
              - name: w
                image: "<image>"
                cmd: [python3, -m, dynamo, 8]
                run_config: {input: dyn://a.b.c, output: trtllm, num_nodes: 2, node_rank: 1, leader_addr: "[fd00::1]:05000", tensor_parallel_size: 16}
                parameters: {max_num_seqs: 0x10, enforce_eager: yes}
                resources: {gpu: 8, cpu: "10"}
                environment: {A: yes, B: 3, C: "${{secrets.T}}", D: ""}
                node_selector: {example.com/pool: "", gpu: 8}
                secrets: [a.b-c_d]
                readiness: {running: yes}
            """),
        Arguments.of("tcp readiness on port 1", "version: 1\nname: g\n" + ECHO + "    readiness: {tcp: {port: 1}}\n"),
        Arguments.of("running for a stated 0 s", "version: 1\nname: g\n" + ECHO + "    readiness: {running: {seconds: 0}}\n"),
        Arguments.of("running for a stated day", "version: 1\nname: g\n" + ECHO
            + "    readiness: {running: {seconds: 86400}}\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodVariants")
  void goodVariantsPassBoth(String what, String yaml) {
    LoadResult r = GraphLoader.load("v.yaml", yaml, null);
    assertTrue(r.ok(), () -> what + ": " + r.problems());
    assertEquals(List.of(), schemaErrors(yaml), what);
  }
}

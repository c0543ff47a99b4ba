package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.ExampleGraphs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  private Path write(String name, String text) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, text, StandardCharsets.UTF_8);
    return f;
  }

  @Test
  void validGraphPrintsOneSummaryLineAndExitsZero() throws IOException {
    Path f = write("reference.yaml", ExampleGraphs.text(ExampleGraphs.REFERENCE));
    Run r = run("validate", "-f", f.toString(), "--target", "slurm");
    assertEquals(0, r.exit(), r.err());
    assertEquals("dynamo-graph: valid for slurm: 5 components, 28 GPUs\n", r.out());
    assertTrue(r.err().startsWith("note: images are not used on Slurm") && r.err().lines().count() == 1, r.err());
  }

  @Test
  void forSlurmAGraphWithImagesGetsANoteThatOnlyPyxisUsesThem() throws IOException {
    Path f = write("demo.yaml", ExampleGraphs.text(ExampleGraphs.DEMO));
    Run r = run("validate", "-f", f.toString(), "--target", "slurm");
    assertEquals(0, r.exit(), r.err());
    assertEquals("note: images are not used on Slurm unless the setting container=pyxis is set (--container pyxis;"
        + " components with an image: frontend, vllm_worker, sglang_group)\n", r.err());
    Run json = run("validate", "-f", f.toString(), "--target", "slurm", "-o", "json");
    assertTrue(json.out().contains("\"notes\" : [ \"images are not used on Slurm"), json.out());
    assertEquals("", run("validate", "-f", f.toString(), "--target", "k8s").err(), "a Kubernetes pod always has its image");
  }

  @Test
  void warningsArePrintedButDoNotFail() throws IOException {
    Path f = write("reference.yaml", ExampleGraphs.text(ExampleGraphs.REFERENCE));
    Run r = run("validate", "--file", f.toString(), "--target", "k8s");
    assertEquals(0, r.exit());
    assertEquals("dynamo-graph: valid for k8s: 5 components, 28 GPUs\n", r.out());
    assertEquals(f + ":36:7: components[1].environment.CUDA_VISIBLE_DEVICES: warning: set by hand; on Kubernetes the device"
        + " plugin assigns GPUs to the container, so this may name devices it does not have\n", r.err());
  }

  @Test
  void invalidGraphListsEveryProblemAndExitsTwo() throws IOException {
    Path f = write("bad.yaml", "version: 2\nname: g\ncomponents:\n  - name: w\n    run_config: {input: http, output: dyn}\n    replica: 2\n");
    Run r = run("validate", "-f", f.toString());
    assertEquals(2, r.exit());
    assertEquals("", r.out());
    assertEquals(String.join("\n",
        f + ":1:1: version: unsupported IR version 2 (supported: 1, 1.0, \"1.0\")",
        f + ":6:5: components[0].replica: unknown key \"replica\"; did you mean \"replicas\"?",
        "invalid: 2 errors, 0 warnings") + "\n", r.err());
  }

  @Test
  void hostileInputsExitTwoWithoutAStackTrace() throws IOException {
    Path missing = dir.resolve("missing.yaml");
    Path binary = dir.resolve("binary.yaml");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
    for (Path p : new Path[] {missing, dir, binary, write("empty.yaml", "")}) {
      Run r = run("validate", "-f", p.toString());
      assertEquals(2, r.exit(), p + ": " + r.err());
      assertTrue(r.err().startsWith(p + ":"), r.err());
      assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }
  }

  @Test
  void unknownTargetIsAUsageError() throws IOException {
    Path f = write("demo.yaml", ExampleGraphs.text(ExampleGraphs.DEMO));
    Run r = run("validate", "-f", f.toString(), "--target", "nomad");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("unknown target \"nomad\" (valid: k8s, slurm)"), r.err());
  }

  @Test
  void fileIsRequired() {
    Run r = run("validate");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("Missing required option: '--file=FILE'"), r.err());
  }

  @Test
  void targetAgnosticSummarySaysSo() throws IOException {
    Path f = write("demo.yaml", ExampleGraphs.text(ExampleGraphs.DEMO));
    Run r = run("validate", "-f", f.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals("demo: valid: 3 components, 10 GPUs (target-agnostic; add --target k8s|slurm for target checks)\n", r.out());
  }
}

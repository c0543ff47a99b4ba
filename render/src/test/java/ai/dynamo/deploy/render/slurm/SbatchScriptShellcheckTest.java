package ai.dynamo.deploy.render.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rendered sbatch script passes ShellCheck: the examples, the mixed graph and the injection corpus (hostile
 * names, commands and values). One check is left out everywhere, SC2034 ("appears unused"): the scripts read lines
 * into variables they discard on purpose ({@code read -r dyn_line}, {@code dyn_rest}); renaming them would change
 * every rendered script, and with it every deployed component's digest, for no change in behaviour. Two more are left
 * out for the injection corpus only, because there they report the point of the quoting: SC2016 (a {@code $(...)} in
 * single quotes does not expand) and SC1003 (a backslash before a quote in single quotes stays literal).
 * {@code ./test.sh} installs ShellCheck and sets {@code DYNAMO_REQUIRE_SHELLCHECK=1}, so there this fails, never
 * skips, without it.
 */
class SbatchScriptShellcheckTest {
  static final String REQUIRE_ENV = "DYNAMO_REQUIRE_SHELLCHECK";

  @TempDir Path tmp;

  @Test
  void shellcheckFindsNothingInAnyRenderedScript() throws Exception {
    boolean required = "1".equals(System.getenv(REQUIRE_ENV));
    boolean present;
    try {
      Process version = new ProcessBuilder("shellcheck", "--version").redirectErrorStream(true).start();
      present = version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0;
    } catch (IOException notInstalled) {
      present = false;
    }
    assertTrue(present || !required, "shellcheck is not installed (" + REQUIRE_ENV + "=1; apt-get install shellcheck)");
    assumeTrue(present, "shellcheck is not installed");
    List<Rendering> graphs = new ArrayList<>(SlurmExamples.renderAll(SlurmRendererTest.SETTINGS).values());
    graphs.add(SlurmRenderer.render(SlurmTestGraphs.mixed(), SlurmRendererTest.SETTINGS));
    assertEquals("", shellcheck(graphs, "SC2034"), "ShellCheck's findings in the examples' scripts");
    Rendering injection = SlurmRenderer.render(new InjectionCorpus().graph(Path.of("/opt/record")), Map.of());
    assertEquals("", shellcheck(List.of(injection), "SC2034,SC2016,SC1003"),
        "ShellCheck's findings in the injection corpus's scripts");
  }

  /** ShellCheck's findings (empty: none) in every script of {@code renderings}, without the {@code excluded} checks. */
  private String shellcheck(List<Rendering> renderings, String excluded) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("shellcheck", "--shell=bash", "--exclude=" + excluded,
        "--format=gcc"));
    for (Rendering r : renderings) {
      for (RenderedFile f : r.files()) {
        Path script = tmp.resolve(command.size() + "_" + f.relativePath().replace('/', '_'));
        Files.writeString(script, f.content());
        command.add(script.toString());
      }
    }
    assertTrue(command.size() > 4, "no rendered script");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String findings = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "shellcheck did not end within 120 s");
    return findings + (p.exitValue() == 0 || !findings.isEmpty() ? "" : "shellcheck exited " + p.exitValue());
  }
}

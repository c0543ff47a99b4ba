package ai.dynamo.deploy.render.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.MultiNode;
import ai.dynamo.deploy.ir.Parameter;
import ai.dynamo.deploy.ir.Resources;
import ai.dynamo.deploy.render.ComponentProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Hostile values for parameters, environment and the command, and a recorder process that writes the argv and
 * environment it received to files, so a test can show every value arrived literally and no payload ran (each
 * payload would create a {@code /tmp/pwned-<id>-N} file).
 */
public final class InjectionCorpus {
  final String id = UUID.randomUUID().toString().substring(0, 8);
  final List<String> values;

  public InjectionCorpus() {
    String m = "/tmp/pwned-" + id + "-";
    values = List.of(
        "$(touch " + m + "1)",
        "`touch " + m + "2`",
        "'; touch " + m + "3; '",
        "\"; touch " + m + "4; \"",
        "line1\nline2; touch " + m + "5\n",
        "$HOME ${PATH} $0 $$ $1",
        "back\\slash \\n \\' \\\"",
        "*",
        " spaced  out\ttab ",
        "%s %n %% \\0",
        "!! !$ ~root",
        "-leading-dash",
        "ünïcødé ✓ ; | & > < ( ) { }",
        "'",
        "",
        "$(</etc/hostname) ${IFS} && touch " + m + "6 || touch " + m + "7");
  }

  /** The recorder: writes its argv ({@code $@}) and {@code env -0} to {@code $DYN_TEST_OUT/<node>.<pid>.*}. */
  public static String recorderScript() {
    return """
        #!/bin/bash
        out="${DYN_TEST_OUT:?}/${SLURMD_NODENAME:-local}.$$"
        printf '%s\\0' "$@" >"$out.argv.tmp"
        env -0 >"$out.env.tmp"
        mv "$out.env.tmp" "$out.env"
        mv "$out.argv.tmp" "$out.argv"
        """;
  }

  /** A batch component running {@code recorder} with every corpus value as parameter, env value and cmd word. */
  public Graph graph(Path recorder) {
    List<Parameter> params = new ArrayList<>();
    List<EnvVar> env = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      params.add(new Parameter("p" + i, values.get(i), Parameter.Type.STRING));
      env.add(EnvVar.literal("INJ_" + i, values.get(i)));
    }
    Component c = new Component("inject", null, List.of(recorder.toString(), values.get(0)),
        "batch:/data/$(touch /tmp/pwned-" + id + "-in)", "dyn", params, 1, new Resources("1", "64Mi", 0), env,
        List.of(), Map.of(), MultiNode.SINGLE, null);
    return new Graph("1.0", "injection", List.of(c));
  }

  /** Asserts the recorder ran once and saw exactly the rendered argv and env values, and no payload ran. */
  public void assertArrivedLiterally(Graph graph, Path outDir) throws IOException {
    List<Path> argvFiles;
    try (Stream<Path> s = Files.list(outDir)) {
      argvFiles = s.filter(p -> p.toString().endsWith(".argv")).toList();
    }
    assertEquals(1, argvFiles.size(), "recorder runs in " + outDir);
    Component c = graph.components().get(0);
    List<String> expected = ComponentProcess.argv(c);
    List<String> argv = split0(Files.readString(argvFiles.get(0), StandardCharsets.UTF_8));
    assertEquals(expected.subList(1, expected.size()), argv, "argv as received");
    Path envFile = Path.of(argvFiles.get(0).toString().replaceFirst("\\.argv$", ".env"));
    Map<String, String> env = new HashMap<>();
    for (String kv : split0(Files.readString(envFile, StandardCharsets.UTF_8))) {
      int eq = kv.indexOf('=');
      if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    for (int i = 0; i < values.size(); i++) assertEquals(values.get(i), env.get("INJ_" + i), "INJ_" + i);
    assertNothingExecuted();
  }

  void assertNothingExecuted() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/tmp"))) {
      List<Path> pwned = s.filter(p -> p.getFileName().toString().startsWith("pwned-" + id)).toList();
      assertTrue(pwned.isEmpty(), "payloads ran: " + pwned);
    }
    assertFalse(Files.exists(Path.of("/tmp/pwned-" + id + "-in")));
  }

  public static List<String> split0(String s) {
    List<String> out = new ArrayList<>(List.of(s.split("\0", -1)));
    if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) out.remove(out.size() - 1);
    return out;
  }
}

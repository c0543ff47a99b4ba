package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.ExampleGraphs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Short verbs never load the Temporal, gRPC, fabric8 or sshj stacks (only the verb being run is modelled, see
 * {@link Verbs}), and the stubs of the other verbs change nothing a user sees. Class loading is observed in a fresh
 * JVM with {@code -Xlog:class+load}: a behaviour, not a timing (timings are in bench/run.sh).
 */
@Timeout(120)
class LazyVerbsTest {
  // java.util.logging too: its set-up (logging.properties, java.security) is a sizeable part of a short start, and
  // SnakeYAML's Yaml objects start it (YamlSource composes without one).
  private static final Pattern HEAVY =
      Pattern.compile(" (io\\.temporal|io\\.grpc|io\\.fabric8|net\\.schmizz|java\\.util\\.logging)\\.\\S+ source:");

  @TempDir Path dir;

  @Test
  void helpAndValidateLoadNoTemporalFabric8OrSshjClass() throws Exception {
    Path demo = ExampleGraphs.repositoryRoot().resolve("examples/demo-graph.yaml");
    assertEquals(List.of(), heavyClasses("--help"));
    assertEquals(List.of(), heavyClasses("validate", "-f", demo.toString()));
    assertEquals(List.of(), heavyClasses("validate", "-f", demo.toString(), "--target", "k8s", "-o", "json"));
  }

  @Test
  void theCheckSeesAVerbThatDoesLoadThem() throws Exception {
    // The control: the worker's model names Temporal types, so the same check must report them.
    assertTrue(heavyClasses("worker", "--help").stream().anyMatch(c -> c.startsWith("io.temporal.")));
  }

  @Test
  void helpReadsTheSameAsWithEveryVerbModelled() {
    CliRun lazy = CliRun.of("--help");
    assertEquals(0, lazy.exitCode());
    assertEquals(Main.commandLine().getUsageMessage(picocli.CommandLine.Help.Ansi.OFF), lazy.out());
    CliRun deploy = CliRun.of("deploy", "--help");
    assertEquals(0, deploy.exitCode());
    assertEquals(Main.commandLine().getSubcommands().get("deploy").getUsageMessage(picocli.CommandLine.Help.Ansi.OFF),
        deploy.out());
    assertTrue(deploy.out().contains("  status ") && deploy.out().contains("  logs "), deploy.out());
  }

  @Test
  void aMistypedVerbIsStillSuggested() {
    CliRun r = CliRun.of("valdate", "-f", "x.yaml");
    assertEquals(ExitCodes.INVALID, r.exitCode());
    assertTrue(r.err().contains("validate"), r.err());
  }

  @Test
  void helpOfAVerbAndItsSubcommandsAreModelledInFull() {
    CliRun help = CliRun.of("help", "deploy");
    assertEquals(0, help.exitCode(), help.err());
    assertTrue(help.out().contains("--wait"), help.out());
    CliRun status = CliRun.of("deploy", "status", "--help");
    assertEquals(0, status.exitCode(), status.err());
    assertTrue(status.out().startsWith("Usage: dynamo deploy status"), status.out());
  }

  @Test
  void theVerbsModelledAreTheWordsThatAreNotOptions() {
    Verbs.Selection validate = Verbs.Selection.of(new String[] {"--debug", "validate", "-f", "deploy"});
    assertTrue(validate.models(0, "validate"));
    assertTrue(!validate.models(0, "deploy"));
    Verbs.Selection status = Verbs.Selection.of(new String[] {"deploy", "status", "g", "--target", "k8s"});
    assertTrue(status.models(0, "deploy") && status.models(1, "status") && !status.models(1, "list"));
    assertTrue(Verbs.Selection.of(new String[] {"help", "deploy"}).models(1, "list"));
    assertTrue(!Verbs.Selection.of(new String[] {"--help"}).models(0, "validate"));
    assertEquals("validate", Verbs.named(new String[] {"--debug", "validate", "-f", "deploy"}));
  }

  @Test
  void aVerbOfAVerbModelsOnlyItself() {
    var deploy = Main.commandLine(Verbs.Selection.of(new String[] {"deploy", "status", "g"})).getSubcommands()
        .get("deploy").getSubcommands();
    assertTrue(deploy.get("status").getCommandSpec().userObject() instanceof DeployStatusCommand);
    assertEquals(null, deploy.get("logs").getCommandSpec().userObject(), "a stub");
    assertEquals(Main.SUBVERBS.get(DeployCommand.class).size(), deploy.size());
  }

  @Test
  void aVerbNamedOnlyToReachOneOfItsOwnIsAStubButOneGivenOptionsIsModelled() {
    CommandLine through = Main.commandLine(Verbs.Selection.of(new String[] {"deploy", "status", "g", "--target", "k8s"}))
        .getSubcommands().get("deploy");
    assertEquals(null, through.getCommandSpec().userObject(), "deploy itself takes no option here: a stub");
    assertTrue(through.getSubcommands().get("status").getCommandSpec().userObject() instanceof DeployStatusCommand);
    // an option of deploy's between the two words: deploy is parsed, so modelled ("status" is -n's value here)
    CommandLine parsed = Main.commandLine(Verbs.Selection.of(new String[] {"deploy", "-n", "status", "-f", "g.yaml"}))
        .getSubcommands().get("deploy");
    assertTrue(parsed.getCommandSpec().userObject() instanceof DeployCommand);
    CliRun missing = CliRun.of("deploy", "status");
    assertEquals(ExitCodes.INVALID, missing.exitCode());
    assertTrue(missing.err().contains("Try 'dynamo deploy status --help'"), missing.err());
  }

  /** The io.temporal/io.grpc/io.fabric8/net.schmizz/java.util.logging classes a fresh {@code dynamo ARGS} loads. */
  private List<String> heavyClasses(String... args) throws IOException, InterruptedException {
    Path log = dir.resolve("classes.log");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xlog:class+load:file=" + log, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.txt").toFile()).start();
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "dynamo " + String.join(" ", args) + " did not end in 90 s");
    String out = Files.readString(dir.resolve("out.txt"));
    assertEquals(0, p.exitValue(), out);
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertTrue(lines.stream().anyMatch(l -> l.contains(" ai.dynamo.deploy.cli.Main ")), "no class log in " + log);
    List<String> heavy = new ArrayList<>();
    for (String line : lines) {
      var m = HEAVY.matcher(line);
      if (m.find()) heavy.add(m.group().trim().split(" ")[0]);
    }
    return heavy;
  }
}

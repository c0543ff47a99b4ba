package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** Habits of the command line: help with an example and whole sentences, did-you-mean, completion scripts. */
class CommandHabitsTest {
  @TempDir Path dir;

  static List<CommandSpec> allCommands() {
    List<CommandSpec> all = new ArrayList<>();
    collect(Main.commandLine().getCommandSpec(), all);
    return all;
  }

  private static void collect(CommandSpec spec, List<CommandSpec> into) {
    into.add(spec);
    spec.subcommands().values().forEach(c -> collect(c.getCommandSpec(), into));
  }

  @Test
  void everyVerbHasAnExampleAndItsHelpSpeaksInWholeSentences() {
    List<String> problems = new ArrayList<>();
    for (CommandSpec c : allCommands()) {
      String name = c.qualifiedName();
      if (name.endsWith(" help")) continue; // picocli's own help verb
      String footer = String.join("\n", c.usageMessage().footer());
      if (!String.join("", c.usageMessage().footerHeading()).contains("Example") || !footer.contains("  dynamo ")) {
        problems.add(name + ": no example");
      }
      // Each element of a description is a line of its own in the help, so each must be whole: a sentence split
      // over two elements reads as cut off, with its second half at the wrong indentation.
      for (String description : c.usageMessage().description()) {
        if (!sentence(description.strip())) problems.add(name + ": description line \"" + description + "\"");
      }
      for (ArgSpec a : c.args()) {
        if (a.hidden()) continue;
        if (a.description().length == 0) problems.add(name + " " + a.paramLabel() + ": no description");
        for (String text : a.description()) {
          if (!sentence(text.strip())) problems.add(name + " " + a.paramLabel() + ": \"" + text + "\"");
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  /** Main turns off picocli's converters of these types for a faster start: so no option may need one. */
  @Test
  void noOptionNeedsAConverterMainTurnsOff() {
    List<String> problems = new ArrayList<>();
    for (CommandSpec c : allCommands()) {
      for (ArgSpec a : c.args()) {
        List<Class<?>> types = new ArrayList<>(List.of(a.type()));
        types.addAll(List.of(a.auxiliaryTypes()));
        for (Class<?> t : types) {
          if (t.getName().matches(Main.UNUSED_CONVERTERS)) problems.add(c.qualifiedName() + " " + a.paramLabel() + ": " + t);
        }
      }
    }
    assertEquals(List.of(), problems);
    assertTrue("java.time.Duration".matches(Main.UNUSED_CONVERTERS) && "java.sql.Timestamp".matches(Main.UNUSED_CONVERTERS)
        && !"java.nio.file.Path".matches(Main.UNUSED_CONVERTERS));
  }

  private static boolean sentence(String s) {
    return !s.isEmpty() && (Character.isUpperCase(s.charAt(0)) || s.startsWith("k8s:") || s.startsWith("slurm:")
        || s.startsWith("table ") || s.startsWith("rollback ")) && s.endsWith(".");
  }

  @Test
  void verbsThatLookAtADeployTakeOnlyTheFlagsThatFindIt() {
    for (String verb : List.of("status", "logs", "history", "cancel", "abort", "uninstall")) {
      CliRun help = CliRun.of("deploy", verb, "--help");
      assertEquals(0, help.exitCode(), help.err());
      assertTrue(help.out().contains("--ssh-host") && help.out().contains("--namespace"), verb + ": " + help.out());
      CommandSpec spec = allCommands().stream().filter(c -> c.qualifiedName().equals("dynamo deploy " + verb))
          .findFirst().orElseThrow();
      for (String deployOnly : PlaceFlagsOnly.DEPLOY_ONLY) {
        assertTrue(spec.findOption(deployOnly) == null && !help.out().contains(deployOnly), verb + " takes " + deployOnly);
      }
    }
    CliRun partition = CliRun.of("deploy", "status", "g", "--partition", "gpu");
    assertEquals(ExitCodes.INVALID, partition.exitCode());
    assertTrue(partition.err().contains("unknown option --partition"), partition.err());
    CliRun deploy = CliRun.of("deploy", "--help");
    assertTrue(deploy.out().contains("--partition=P") && deploy.out().contains("--toleration="), deploy.out());
  }

  @Test
  void helpShowsTheExample() {
    CliRun help = CliRun.of("deploy", "uninstall", "--help");
    assertEquals(0, help.exitCode());
    assertTrue(help.out().contains("Example:\n  dynamo deploy uninstall my-graph --wait"), help.out());
  }

  @Test
  void mistypedVerbsAndFlagsGetADidYouMean() {
    CliRun verb = CliRun.of("depoy", "list");
    assertEquals(ExitCodes.INVALID, verb.exitCode());
    assertTrue(verb.err().startsWith("error: unknown command depoy; did you mean deploy?"), verb.err());
    CliRun sub = CliRun.of("deploy", "stauts", "demo");
    assertEquals(ExitCodes.INVALID, sub.exitCode());
    assertTrue(sub.err().contains("did you mean status?"), sub.err());
    CliRun flag = CliRun.of("deploy", "status", "demo", "--wiat");
    assertEquals(ExitCodes.INVALID, flag.exitCode());
    assertTrue(flag.err().startsWith("error: unknown option --wiat; did you mean --wait?"), flag.err());
    assertTrue(flag.err().contains("Try 'dynamo deploy status --help'."), flag.err());
  }

  @Test
  void bashAndZshCompletionScriptsParse() throws Exception {
    CliRun bash = CliRun.of("completion", "bash");
    assertEquals(0, bash.exitCode(), bash.err());
    assertTrue(bash.out().contains("complete -F _complete_dynamo"), bash.out());
    assertTrue(bash.out().contains("uninstall"), "new verbs are completed");
    Path script = Files.writeString(dir.resolve("dynamo.bash"), bash.out());
    Process check = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
    assertTrue(check.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, check.exitValue(), new String(check.getInputStream().readAllBytes()));
    CliRun zsh = CliRun.of("completion", "zsh");
    assertTrue(zsh.out().startsWith("autoload -U +X compinit && compinit\nautoload -U +X bashcompinit"), zsh.out());
    CliRun other = CliRun.of("completion", "tcsh");
    assertEquals(ExitCodes.INVALID, other.exitCode());
  }

  @Test
  void fishCompletionOffersEachVerbInItsParentAndEachFlagInItsCommand() {
    CliRun fish = CliRun.of("completion", "fish");
    assertEquals(0, fish.exitCode(), fish.err());
    List<String> lines = fish.out().lines().toList();
    assertEquals("complete -c dynamo -f", lines.get(1));
    assertTrue(lines.contains("complete -c dynamo -n '__fish_use_subcommand' -a deploy -d "
        + FishCompletion.quote(CommandLine.Help.Ansi.OFF.string(description("deploy")))), fish.out());
    String inDeploy = "__fish_seen_subcommand_from deploy; and not __fish_seen_subcommand_from ";
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("complete -c dynamo -n '" + inDeploy)
        && l.contains(" -a uninstall -d ")), fish.out());
    String inLogs = "__fish_seen_subcommand_from deploy; and __fish_seen_subcommand_from logs";
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("complete -c dynamo -n '" + inLogs + "' -s f -l follow -d ")),
        fish.out());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("complete -c dynamo -n '" + inLogs + "' -l tail -r -d ")),
        fish.out());
    for (CommandSpec c : allCommands()) {
      if (c.parent() != null && !hidden(c)) {
        assertTrue(lines.stream().anyMatch(l -> l.contains(" -a " + c.name() + " -d ")), c.qualifiedName());
      }
    }
    assertEquals("'it\\'s a \\\\ test'", FishCompletion.quote("it's a \\ test"));
  }

  /** A hidden verb ({@code daemon}) and its own verbs are left out of completion, as out of help. */
  private static boolean hidden(CommandSpec c) {
    for (CommandSpec s = c; s != null; s = s.parent()) {
      if (s.usageMessage().hidden()) return true;
    }
    return false;
  }

  private static String description(String verb) {
    return Main.commandLine().getSubcommands().get(verb).getCommandSpec().usageMessage().description()[0];
  }
}

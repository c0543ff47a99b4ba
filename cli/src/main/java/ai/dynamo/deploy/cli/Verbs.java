package ai.dynamo.deploy.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Adds the verbs to a command. picocli builds a verb's model by reflecting over its class, which loads the type of
 * every field and method: for {@code deploy} or {@code worker} that is the Temporal, gRPC, fabric8 and sshj stacks,
 * several hundred classes and much of a short command's start-up. So only the verbs a command line names are
 * modelled from their classes ({@code deploy status} models deploy and its status, not deploy's other verbs); every
 * other verb is a stub with the same name, aliases and help text, read from its {@code @Command} annotation (which
 * does not load the class's field types), so that usage and "did you mean" read the same. A verb named only to
 * reach one of its own ({@code deploy} in {@code deploy status NAME}) is such a stub too, holding that one modelled.
 */
final class Verbs {
  /** Verbs whose run reads the other verbs' models. */
  private static final Set<String> NEED_ALL = Set.of("help", "completion");

  private Verbs() {}

  /**
   * Which verbs to model: at each depth, the one the command line names there (its words that are not options, in
   * order: the root's options take no value), every one of them for {@code help} and {@code completion}, none for
   * {@code dynamo --help} alone. A word that is an argument rather than a verb names no verb: all stubs there.
   */
  record Selection(List<String> words, List<Integer> positions, boolean all) {
    static final Selection ALL = new Selection(List.of(), List.of(), true);

    static Selection of(String[] args) {
      List<String> words = new ArrayList<>();
      List<Integer> positions = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--")) break;
        if (!args[i].startsWith("-")) {
          words.add(args[i]);
          positions.add(i);
        }
      }
      return new Selection(words, positions, !words.isEmpty() && NEED_ALL.contains(words.get(0)));
    }

    boolean models(int depth, String name) {
      return all || depth < words.size() && words.get(depth).equals(name);
    }

    /**
     * Whether the verb at {@code depth} is only passed through: the word right after it on the command line (no
     * option between) is one of its own verbs, so none of its options can be given and its model is not needed
     * ({@code deploy status NAME} parses no option of {@code deploy}; {@code deploy -n status ...} does).
     */
    boolean passesThrough(int depth, List<Class<?>> own) {
      if (all || own == null || depth + 1 >= words.size() || positions.get(depth + 1) != positions.get(depth) + 1) {
        return false;
      }
      return own.stream().anyMatch(v -> v.getAnnotation(Command.class).name().equals(words.get(depth + 1)));
    }
  }

  /** The verb a command line names: its first word that is not an option, or null. */
  static String named(String[] args) {
    List<String> words = Selection.of(args).words();
    return words.isEmpty() ? null : words.get(0);
  }

  static void add(CommandLine parent, List<Class<?>> verbs, Map<Class<?>, List<Class<?>>> subverbs,
      Selection selection, int depth) {
    for (Class<?> verb : verbs) {
      Command command = verb.getAnnotation(Command.class);
      if (selection.models(depth, command.name())) {
        List<Class<?>> own = subverbs.get(verb);
        CommandLine line = selection.passesThrough(depth, own) ? new CommandLine(stub(command), parent.getFactory())
            : new CommandLine(verb, parent.getFactory());
        if (own != null) add(line, own, subverbs, selection, depth + 1);
        parent.addSubcommand(line);
      } else {
        parent.addSubcommand(command.name(), stub(command));
      }
    }
  }

  /** What a parent's usage and suggestions read of a verb, without building its model. */
  private static CommandSpec stub(Command command) {
    CommandSpec spec = CommandSpec.create().name(command.name()).aliases(command.aliases());
    spec.usageMessage().header(command.header()).description(command.description()).hidden(command.hidden());
    return spec;
  }
}

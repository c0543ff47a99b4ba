package ai.dynamo.deploy.cli;

import java.util.Set;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Adds the verbs to the root command. picocli builds a verb's model by reflecting over its class, which loads the
 * type of every field and method: for {@code deploy} or {@code worker} that is the Temporal, gRPC, fabric8 and sshj
 * stacks, several hundred classes and most of a short command's start-up. So only the verb being run is modelled
 * from its class; every other verb is a stub with the same name, aliases and help text, read from its
 * {@code @Command} annotation (which does not load the class's field types), so that {@code dynamo --help} and
 * "did you mean" read the same.
 */
final class Verbs {
  /** Every verb modelled in full. */
  static final Predicate<String> ALL = name -> true;

  /** Verbs whose run reads the other verbs' models. */
  private static final Set<String> NEED_ALL = Set.of("help", "completion");

  private Verbs() {}

  /**
   * Which verbs to model for this command line: the verb it {@linkplain #named names}, all of them for
   * {@code help} and {@code completion}, none for {@code dynamo --help} alone.
   */
  static Predicate<String> modelled(String[] args) {
    String verb = named(args);
    if (verb == null) return name -> false;
    return NEED_ALL.contains(verb) ? ALL : verb::equals;
  }

  /** The verb a command line names: its first word that is not an option (the root's options take no value). */
  static String named(String[] args) {
    for (String arg : args) {
      if (arg.equals("--")) return null;
      if (!arg.startsWith("-")) return arg;
    }
    return null;
  }

  static void add(CommandLine root, Iterable<Class<?>> verbs, Predicate<String> modelled) {
    for (Class<?> verb : verbs) {
      Command command = verb.getAnnotation(Command.class);
      if (modelled.test(command.name())) root.addSubcommand(new CommandLine(verb));
      else root.addSubcommand(command.name(), stub(command));
    }
  }

  /** What the root's usage and suggestions read of a verb, without building its model. */
  private static CommandSpec stub(Command command) {
    CommandSpec spec = CommandSpec.create().name(command.name()).aliases(command.aliases());
    spec.usageMessage().header(command.header()).description(command.description());
    return spec;
  }
}

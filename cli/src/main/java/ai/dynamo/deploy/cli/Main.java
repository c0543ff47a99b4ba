package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.Invocation;
import ai.dynamo.deploy.cli.action.RunInCallersProcess;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code dynamo} command. Each verb is a class of its own; the logic behind a verb lives outside picocli. */
@Command(
    name = "dynamo",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Deploy Dynamo inference graphs to Kubernetes or Slurm.",
    footerHeading = "%nExample:%n",
    footer = "  dynamo deploy --target slurm --ssh-host login1 -f graph.yaml --wait")
public final class Main {
  /**
   * The verbs, in the order {@code dynamo --help} lists them. Added by {@link Verbs}: only the verb being run gets
   * its full model, so that {@code validate} and {@code --help} never load the Temporal, fabric8 or sshj classes.
   */
  static final List<Class<?>> VERBS = List.of(DeployCommand.class, ValidateCommand.class, WorkerCommand.class,
      ServerCommand.class, DaemonCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class);

  /** The verbs of a verb ({@code dynamo deploy status}, ...), added the same way. */
  static final Map<Class<?>, List<Class<?>>> SUBVERBS = Map.of(DeployCommand.class, List.of(
      DeployStatusCommand.class, DeployListCommand.class, DeployCancelCommand.class, DeployRetryCommand.class,
      DeployRollbackCommand.class, DeployAbortCommand.class, DeployHistoryCommand.class, DeployDiffCommand.class,
      DeployUninstallCommand.class, DeployLogsCommand.class));

  /** picocli's switch for its support of Groovy closures in annotations, which dynamo does not use. */
  private static final String NO_CLOSURES = "picocli.disable.closures";

  /** picocli's list of built-in type converters not to register (regular expressions over class names). */
  private static final String NO_CONVERTERS = "picocli.converters.excludes";

  /**
   * The built-in converters no option of dynamo needs (no option or parameter has a {@code java.time} or
   * {@code java.sql} type: CommandHabitsTest). picocli registers each by loading its class, which initialises
   * {@code java.time}'s formatters, on every start.
   */
  static final String UNUSED_CONVERTERS = "java\\.(time|sql)\\..*";

  static {
    // Otherwise picocli looks for Groovy's Closure class on the class path once per run: a miss, which opens the
    // 77 MB jar (~39,000 entries) that --help and validate, their classes all in the class-data archive, never open
    // otherwise. A value given with -D wins, here and below.
    if (System.getProperty(NO_CLOSURES) == null) System.setProperty(NO_CLOSURES, "true");
    if (System.getProperty(NO_CONVERTERS) == null) System.setProperty(NO_CONVERTERS, UNUSED_CONVERTERS);
  }

  @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
  boolean debug;

  public static void main(String[] args) {
    System.exit(runInThisProcess(args));
  }

  /**
   * Runs one command line in this process, as {@code dynamo} does, on its stdout and stderr; returns the exit code.
   * The background client ({@code daemon.ThinClient}) falls back to this when no daemon answers.
   */
  public static int runInThisProcess(String[] args) {
    java.nio.file.Path log = LogSetup.configure(args, System.getenv());
    PrintWriter err = new PrintWriter(System.err, true);
    int code = run(args, new PrintWriter(System.out, true), err);
    if (code != ExitCodes.OK) {
      String where = LogSetup.whereOnFailure(log);
      if (where != null) err.println(where);
    }
    LogSetup.finish(log);
    return code;
  }

  /** Runs one command line; the entry point for tests too (no System.exit). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return run(args, out, err, Invocation.ofThisProcess());
  }

  /**
   * Runs one command line for a caller other than this process (a request to the daemon): its environment,
   * terminal and working directory, against which relative file arguments are resolved.
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Invocation invocation) {
    Failures failures = new Failures();
    CommandLine cli = commandLine(Verbs.Selection.of(args), invocation, failures);
    cli.registerConverter(Path.class, new RelativeTo(invocation.workingDirectory()));
    cli.setOut(out);
    cli.setErr(err);
    int code = cli.execute(args);
    // Past picocli, which would print it: the daemon gives the command back to its client (nothing was written).
    if (failures.handedBack != null) throw failures.handedBack;
    return code;
  }

  /** The whole command tree, every verb modelled (completion, {@code help VERB}, tests). */
  static CommandLine commandLine() {
    return commandLine(Verbs.Selection.ALL);
  }

  /** The command tree in which only the verbs {@code selection} names are built from their classes. */
  static CommandLine commandLine(Verbs.Selection selection) {
    return commandLine(selection, Invocation.ofThisProcess());
  }

  private static CommandLine commandLine(Verbs.Selection selection, Invocation invocation) {
    return commandLine(selection, invocation, new Failures());
  }

  private static CommandLine commandLine(Verbs.Selection selection, Invocation invocation, Failures failures) {
    // Verbs and option groups that read their caller get it from the factory (InvocationFactory.ReadsInvocation).
    CommandLine cli = new CommandLine(new Main(), new InvocationFactory(invocation));
    Verbs.add(cli, VERBS, SUBVERBS, selection, 0);
    cli.setExecutionExceptionHandler(failures);
    // `deploy --on-failure rollback`: an option value may be the name of a subcommand (deploy rollback).
    cli.setAllowSubcommandsAsOptionParameters(true);
    cli.setParameterExceptionHandler(new Usage());
    return cli;
  }

  // Named classes, not lambdas, for picocli's interfaces: the class-data archive's dump resolves a lambda by linking
  // its interface, and picocli's Java 5 interfaces, once linked there, are left out of the archive with every class
  // that implements them (the built-in converters among them): each start would load them from the jar. (The build
  // now rewrites them as Java 6 class files, StackMapUpgrade; a build or test class path without that step still
  // has Java 5 ones.)

  /** Paths relative to the caller's working directory. */
  private static final class RelativeTo implements CommandLine.ITypeConverter<Path> {
    private final Path workingDirectory;

    RelativeTo(Path workingDirectory) {
      this.workingDirectory = workingDirectory;
    }

    @Override
    public Path convert(String value) {
      return workingDirectory.resolve(value);
    }
  }

  private static final class Usage implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
      return usage(ex, args);
    }
  }

  private static final class Failures implements CommandLine.IExecutionExceptionHandler {
    private RunInCallersProcess handedBack;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
      if (ex instanceof RunInCallersProcess back) {
        handedBack = back;
        return ExitCodes.UNREACHABLE; // not seen: run() throws it
      }
      return handle(ex, cmd, parsed);
    }
  }

  /** A mistyped verb or flag: the message, what was probably meant, and where help is. */
  private static int usage(CommandLine.ParameterException ex, String[] args) {
    PrintWriter err = ex.getCommandLine().getErr();
    err.println("error: " + Suggestions.describe(ex));
    err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
    return ExitCodes.INVALID;
  }

  private static int handle(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    boolean debug = parsed.hasMatchedOption("--debug") || hasDebug(parsed);
    ErrorOutput.Known known = ErrorOutput.of(ex);
    if (known != null) {
      err.println(known.message());
      if (debug) ex.printStackTrace(err);
      return known.exitCode();
    }
    // Anything else is our bug or an unexpected environment: one line by default, the trace on --debug.
    err.println("error: " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()));
    if (debug) ex.printStackTrace(err);
    else err.println("(run again with --debug for details)");
    return ExitCodes.DEPLOY_FAILED;
  }

  private static boolean hasDebug(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult r = parsed; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption("--debug")) return true;
    }
    return false;
  }

  /** Version from the jar manifest, so {@code --version} always tells the truth about the build. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"dynamo-deploy " + (v == null ? "development build" : v)};
    }
  }
}

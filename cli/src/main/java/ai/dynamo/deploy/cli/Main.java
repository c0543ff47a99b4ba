package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.client.DeployRefusedException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code dynamo} command. Each verb is a class of its own; the logic behind a verb lives outside picocli. */
@Command(
    name = "dynamo",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Deploy Dynamo inference graphs to Kubernetes or Slurm.",
    subcommands = {
      DeployCommand.class,
      ValidateCommand.class,
      WorkerCommand.class,
      ServerCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {

  @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
  boolean debug;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs one command line; the entry point for tests too (no System.exit). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(Main::handle);
    // `deploy --on-failure rollback`: an option value may be the name of a subcommand (deploy rollback).
    cli.setAllowSubcommandsAsOptionParameters(true);
    cli.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("error: " + ex.getMessage());
          err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          return ExitCodes.INVALID;
        });
    return cli;
  }

  private static int handle(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    boolean debug = parsed.hasMatchedOption("--debug") || hasDebug(parsed);
    if (ex instanceof UserError user) {
      err.println(user.getMessage());
      if (debug) ex.printStackTrace(err);
      return user.exitCode();
    }
    if (ex instanceof DeployRefusedException refused) {
      // Not now, and nothing changed (no such deploy, a decision that does not apply): a usage error.
      err.println("error: " + refused.getMessage());
      if (debug) ex.printStackTrace(err);
      return ExitCodes.INVALID;
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

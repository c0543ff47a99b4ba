package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.Invocation;
import ai.dynamo.deploy.cli.daemon.Daemon;
import ai.dynamo.deploy.cli.daemon.DaemonRoute;
import ai.dynamo.deploy.workflows.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code dynamo daemon status|stop}: the background process that answers {@code deploy status}, {@code list},
 * {@code history}, the decisions, {@code uninstall}, {@code diff} and a deploy's start without a JVM start (see
 * {@link ai.dynamo.deploy.cli.daemon.ThinClient}). Hidden: it starts itself; {@code run} is how it is started.
 */
@Command(name = "daemon", hidden = true, mixinStandardHelpOptions = true,
    description = "The background client process of 'deploy status|list|history', of cancel, retry, rollback, abort,"
        + " uninstall and diff, and of a deploy's start (starts itself; "
        + DaemonRoute.SWITCH_ENV + "=off disables it; idle exit after " + DaemonRoute.IDLE_ENV + ", default 10m).",
    footerHeading = "%nExample:%n", footer = "  dynamo daemon status")
final class DaemonCommand implements InvocationFactory.ReadsInvocation {
  @Spec CommandSpec spec;

  private Invocation invocation = Invocation.ofThisProcess();

  @Override
  public void use(Invocation invocation) {
    this.invocation = invocation;
  }

  @Command(name = "status", description = "Say whether a daemon serves this build, and what it does (exit 1: none).",
      footerHeading = "%nExample:%n", footer = "  dynamo daemon status")
  int status() {
    return Daemon.status(invocation.env(), spec.commandLine().getOut());
  }

  @Command(name = "stop", description = "Stop this build's daemon (requests running finish first).",
      footerHeading = "%nExample:%n", footer = "  dynamo daemon stop")
  int stop() {
    return Daemon.stop(invocation.env(), spec.commandLine().getOut());
  }

  @Command(name = "run", hidden = true, description = "Run the daemon in this process (what starting one runs).",
      footerHeading = "%nExample:%n", footer = "  dynamo daemon run")
  int run() {
    java.util.Map<String, String> env = invocation.env();
    String idle = env.getOrDefault(DaemonRoute.IDLE_ENV, "");
    Duration limit = DaemonRoute.DEFAULT_IDLE;
    if (!idle.isBlank()) {
      try {
        limit = Durations.parse(idle.trim());
      } catch (IllegalArgumentException e) {
        throw new UserError(ExitCodes.INVALID, "error: " + DaemonRoute.IDLE_ENV + ": " + e.getMessage());
      }
    }
    PrintWriter log = spec.commandLine().getErr();
    return Daemon.run(env, limit, log);
  }
}

package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.FollowRun;
import ai.dynamo.deploy.cli.action.ReadLive;
import ai.dynamo.deploy.cli.action.TableView;
import ai.dynamo.deploy.client.DeployStatus;
import ai.dynamo.deploy.client.DeployWatcher;
import ai.dynamo.deploy.client.LiveStatus;
import ai.dynamo.deploy.workflows.ComponentPhase;
import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.Phase;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dynamo deploy status NAME}: one deploy's recorded state and, when that state leaves something running, what
 * the target says runs now ({@link LiveStatus}, read with the user's own credentials as {@code deploy logs});
 * {@code --wait} follows it like {@code deploy --wait}.
 */
@Command(name = "status", mixinStandardHelpOptions = true, modelTransformer = PlaceFlagsOnly.class,
    description = {"Show a deploy's state, or follow it to its end with --wait.",
        "When the deploy ended in a state that leaves something running (READY, ROLLED_BACK, FAILED, ...), also check"
            + " the target's live state per component, with your own credentials (kubeconfig, SSH keys).",
        "Exit code: 0 shown (and live as recorded), 1 a component the target records live is not ready (or nothing"
            + " runs where READY was recorded), 4 Temporal or the target could not be reached (the recorded state is"
            + " still shown)."},
    footerHeading = "%nExample:%n", footer = {"  dynamo deploy status my-graph --wait", "",
        "Without --debug, ./dynamo has status, list, history, cancel, retry, rollback, abort, uninstall, diff and a"
            + " deploy's start (with --wait too) answered by a"
            + " background client process that keeps the Temporal connection open: 'dynamo daemon status|stop';"
            + " DYNAMO_DAEMON=off: never;"
            + " it exits after DYNAMO_DAEMON_IDLE (default 10m) or when dynamo is rebuilt."})
final class DeployStatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeployRef deploy;

  @Option(names = "--wait", description = "Follow the deploy until it ends; exit code as for 'dynamo deploy --wait'.")
  boolean waitForEnd;

  @Option(names = {"--recorded", "--no-live"},
      description = "Show only the recorded state; do not check the target's live state (faster, no target access).")
  boolean recordedOnly;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "Output format: table, json or yaml (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return deploy.run("status", false, (client, found) -> {
      String workflowId = found.workflowId();
      if (waitForEnd) {
        String runId = DeployStatus.describe(client.newUntypedWorkflowStub(workflowId), workflowId)
            .getExecution().getRunId();
        return FollowRun.follow(client, workflowId, runId, out, err, DeployWatcher.POLL_INTERVAL, false,
            deploy.temporal.caller());
      }
      DeployStatus.View view = new DeployStatus(client).status(workflowId);
      if (!recordedOnly) {
        // Each target call is bounded by --request-timeout; the whole check (a few calls) by twice that.
        Duration perCall = deploy.temporal.requestTimeout();
        view = new LiveStatus(client, new ReadLive(deploy.kubeconfig(), perCall), perCall.multipliedBy(2),
            Clock.systemUTC()).addTo(view);
      }
      if (output == OutputFormat.table) printTable(out, view, recordedOnly && LiveStatus.applies(view));
      else out.println(output.write(view));
      return ExitCodes.ofStatus(view.live());
    });
  }

  /** @param skipped the live check was skipped on request ({@code --recorded}), and the table says so */
  static void printTable(PrintWriter out, DeployStatus.View v, boolean skipped) {
    out.println("workflow  " + v.workflowId() + "   run " + v.runId() + "   " + v.status());
    if (v.phase() == null) {
      if (v.message() != null) out.println(v.message());
      return;
    }
    DeployProgress p = new DeployProgress(v.graph(), v.target(), Phase.valueOf(v.phase()),
        v.revision() == null ? 0 : v.revision(), v.message(),
        v.components().stream()
            .map(c -> new ComponentProgress(c.name(), ComponentPhase.valueOf(c.phase()), c.ready(), c.desired(),
                c.message(), 0, c.change()))
            .toList(),
        0, 0);
    TableView.render(p, liveLine(v, skipped)).forEach(out::println);
  }

  /** "recorded READY 2 h ago; live: ..." when the live state was checked (or skipped on request), else null. */
  static String liveLine(DeployStatus.View v, boolean skipped) {
    if (v.live() == null && !skipped) return null;
    String recorded = "recorded " + v.phase() + (v.closedAt() == null ? ""
        : " " + ago(Duration.between(Instant.parse(v.closedAt()), Instant.now())) + " ago");
    if (v.live() == null) return recorded + "; live: not checked (--recorded)";
    return recorded + "; live (" + v.live().endpoint() + "): " + v.live().state() + ", " + v.live().message();
  }

  /** A duration as people say it: 45 s, 12 min, 2 h 5 min, 3 d 4 h. */
  static String ago(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 60) return s + " s";
    if (s < 3600) return s / 60 + " min";
    if (s < 86400) return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
    return s / 86400 + " d" + (s % 86400 / 3600 == 0 ? "" : " " + s % 86400 / 3600 + " h");
  }
}

package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.ReadHistory;
import ai.dynamo.deploy.cli.action.Spinner;
import ai.dynamo.deploy.client.DeployRecords;
import ai.dynamo.deploy.client.DeployResolver.Resolution;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.TargetLabels;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dynamo deploy history NAME}: revisions from the target's own records, like {@code helm history}, read straight
 * from the target with the user's own credentials (kubeconfig, SSH keys). Temporal is asked only to find the deploy
 * by name; with target flags that name the place, not at all.
 */
@Command(name = "history", mixinStandardHelpOptions = true, modelTransformer = PlaceFlagsOnly.class,
    description = {"List a graph's revisions from the target's own records (not from Temporal), oldest first.",
        "Read with your own credentials (kubeconfig, SSH keys); with flags that name the place, Temporal is not asked."},
    footerHeading = "%nExample:%n", footer = "  dynamo deploy history my-graph -o json")
final class DeployHistoryCommand implements Callable<Integer> {
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  @Spec CommandSpec spec;

  @Mixin DeployRef deploy;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "Output format: table, json or yaml (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Override
  public Integer call() {
    // Flags that name the place: no Temporal at all (as logs). Else Temporal says where the graph is; either way the
    // records are read here, from the target, with the user's own credentials.
    Resolution fromFlags = deploy.withoutTemporal();
    Resolution place = fromFlags != null ? fromFlags : deploy.run("history", true, (client, resolved) -> resolved);
    Duration perCall = deploy.temporal.requestTimeout();
    // Each target call is bounded by --request-timeout; the whole read (a login and a read) by twice that.
    List<RevisionEntry> history = Spinner.around(spec.commandLine().getErr(), deploy.temporal.callerInteractive(),
        "reading the records of " + place.graph() + " on " + TargetLabels.of(place.target()),
        () -> DeployRecords.history(new ReadHistory(deploy.kubeconfig(), perCall), place.graph(), place.target(),
            perCall.multipliedBy(2)));
    PrintWriter out = spec.commandLine().getOut();
    if (output != OutputFormat.table) {
      out.println(output.write(history));
      return ExitCodes.OK;
    }
    String format = "%-9s %-20s %-12s %-16s %-13s %s";
    out.println(String.format(format, "REVISION", "UPDATED (UTC)", "STATUS", "STARTED BY", "DIGEST", "DESCRIPTION")
        .stripTrailing());
    for (RevisionEntry e : history) {
      String digest = e.specDigest() == null ? "" : e.specDigest().substring(0, Math.min(12, e.specDigest().length()));
      out.println(String.format(format, e.revision(), TIME.format(Instant.ofEpochMilli(e.epochMillis())), e.status(),
          e.startedBy(), digest, e.note() == null ? "" : e.note().replace('\n', ' ')).stripTrailing());
    }
    if (history.isEmpty()) {
      spec.commandLine().getErr().println("(no revisions recorded on the target, " + TargetLabels.of(place.target())
          + ": never deployed there, or uninstalled"
          + " without --keep-history; `dynamo deploy status " + deploy.name + "` shows the last run)");
    }
    return ExitCodes.OK;
  }
}

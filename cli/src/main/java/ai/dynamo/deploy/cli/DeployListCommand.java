package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.client.DeployList;
import ai.dynamo.deploy.workflows.Phase;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dynamo deploy list}: deploys on the Temporal service, newest first. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List deploys, newest first.")
final class DeployListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--limit", defaultValue = "50", description = "At most this many (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table, json or yaml (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Option(names = "--phase", paramLabel = "PHASE",
      description = "Only deploys in this phase, e.g. FAILED, PAUSED, READY, ROLLED_BACK (DynamoPhase query where the server supports it).")
  String phase;

  @Mixin TemporalOptions temporal;

  private Phase phase() {
    if (phase == null) return null;
    try {
      return Phase.valueOf(phase.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UserError(ExitCodes.INVALID, "error: --phase must be one of " + java.util.Arrays.toString(Phase.values())
          + ", not \"" + phase + "\"");
    }
  }

  @Override
  public Integer call() {
    Phase wanted = phase();
    List<DeployList.Row> rows = temporal.withClient(c -> new DeployList(c).list(limit, wanted));
    PrintWriter out = spec.commandLine().getOut();
    if (output != OutputFormat.table) {
      out.println(output.write(rows));
      return ExitCodes.OK;
    }
    int idWidth = "WORKFLOW ID".length();
    for (DeployList.Row r : rows) idWidth = Math.max(idWidth, r.workflowId().length());
    String format = "%-" + idWidth + "s  %-10s  %-24s  %s";
    out.println(String.format(format, "WORKFLOW ID", "STATUS", "STARTED", "CLOSED").stripTrailing());
    for (DeployList.Row r : rows) {
      out.println(String.format(format, r.workflowId(), r.status(), r.startedAt(),
          r.closedAt() == null ? "" : r.closedAt()).stripTrailing());
    }
    return ExitCodes.OK;
  }
}

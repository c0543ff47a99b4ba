package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.client.DeployList;
import ai.dynamo.deploy.workflows.Phase;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dynamo deploy list}: deploys on the Temporal service, newest first. */
@Command(name = "list", mixinStandardHelpOptions = true,
    description = "List deploys (and uninstalls), newest first, with their graph, target, place, phase and revision.",
    footerHeading = "%nExample:%n", footer = "  dynamo deploy list --phase FAILED")
final class DeployListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--limit", defaultValue = "50", description = "At most this many (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "Output format: table, json or yaml (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Option(names = "--phase", paramLabel = "PHASE",
      description = "Only deploys in this phase, e.g. FAILED, PAUSED, READY, UNINSTALLED (a DynamoPhase query where the server supports it).")
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
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"GRAPH", "TARGET", "LOCATION", "PHASE", "REVISION", "STARTED", "ENDED"});
    for (DeployList.Row r : rows) {
      table.add(new String[] {r.graph(), r.target(), r.location(), r.phase() == null ? "?" : r.phase(),
          r.revision() == null ? "?" : r.revision() == 0 ? "-" : r.revision().toString(), time(r.startedAt()),
          r.closedAt() == null ? "-" : time(r.closedAt())});
    }
    int[] widths = new int[7];
    for (String[] row : table) {
      for (int i = 0; i < row.length; i++) widths[i] = Math.max(widths[i], row[i].length());
    }
    for (String[] row : table) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) line.append(String.format("%-" + (widths[i] + 2) + "s", row[i]));
      out.println(line.toString().stripTrailing());
    }
    return ExitCodes.OK;
  }

  /** {@code 2026-11-27T01:02:03.456Z} as {@code 2026-11-27 01:02:03} (UTC, like history). */
  private static String time(String iso) {
    return iso == null ? "-" : iso.replace('T', ' ').replaceAll("\\.[0-9]+Z$", "").replace("Z", "");
  }
}

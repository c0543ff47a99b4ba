package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.ReadLogs;
import ai.dynamo.deploy.activities.LogRequest;
import ai.dynamo.deploy.client.DeployResolver.Resolution;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dynamo deploy logs NAME COMPONENT}: a component's output, read straight from the target with the user's own
 * credentials (kubeconfig, SSH keys), as {@code kubectl logs} does: logs never pass through Temporal or a worker.
 * Temporal is asked only to find the deploy by name; with target flags that name the place, not at all.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, modelTransformer = PlaceFlagsOnly.class,
    description = {"Print a component's output: on Slurm the job's output file over SSH, on Kubernetes the pod's log.",
        "Read with your own credentials (kubeconfig, SSH keys), never through Temporal."},
    footerHeading = "%nExample:%n", footer = "  dynamo deploy logs my-graph sglang_group --rank 1 -f")
final class DeployLogsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeployRef deploy;

  @Parameters(index = "1", paramLabel = "COMPONENT", description = "The component's name as the graph writes it.")
  String component;

  @Option(names = "--replica", paramLabel = "R", defaultValue = "0",
      description = "Which replica (a multi-node group: which group), from 0 (default: ${DEFAULT-VALUE}).")
  int replica;

  @Option(names = "--rank", paramLabel = "K",
      description = "A multi-node group's node rank: 0 the leader (the default), 1.. its workers.")
  Integer rank;

  @Option(names = {"-f", "--follow"}, description = "Keep printing new output until Ctrl-C (tail -F, kubectl logs -f).")
  boolean follow;

  @Option(names = "--tail", paramLabel = "N", defaultValue = "-1",
      description = "Only the last N lines (default: all).")
  int tail;

  @Option(names = "--revision", paramLabel = "N", defaultValue = "0",
      description = "Slurm: the revision whose jobs to read (default: the live one, else the newest that ran it).")
  int revision;

  @Override
  public Integer call() {
    if (replica < 0 || (rank != null && rank < 0) || revision < 0) {
      throw new UserError(ExitCodes.INVALID, "error: --replica, --rank and --revision are numbers from 0");
    }
    Resolution found = deploy.withoutTemporal();
    if (found == null) found = deploy.run("logs", true, (client, resolved) -> resolved);
    new ReadLogs(deploy.target.kubeconfig(), deploy.temporal.requestTimeout(), spec.commandLine().getErr(),
        deploy.temporal.callerInteractive())
        .read(found, new LogRequest(component, replica, rank, revision, tail, follow), spec.commandLine().getOut());
    return ExitCodes.OK;
  }
}

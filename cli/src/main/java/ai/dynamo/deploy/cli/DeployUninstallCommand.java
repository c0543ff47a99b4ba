package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.client.DeployDecisions;
import ai.dynamo.deploy.client.DeployStarter;
import ai.dynamo.deploy.client.DeployUninstall;
import ai.dynamo.deploy.workflows.TargetLabels;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dynamo deploy uninstall NAME [--keep-history] [--wait]}, like {@code helm uninstall}. */
@Command(name = "uninstall", mixinStandardHelpOptions = true, modelTransformer = PlaceFlagsOnly.class,
    description = {
      "Remove everything a graph runs on its target, through a durable workflow visible in the Temporal UI"
          + " (refused while a deploy of the graph runs). Slurm: its jobs and the secret files the deploy wrote;"
          + " its records stay. Kubernetes: its objects and pods, and its revision records unless --keep-history."
    },
    footerHeading = "%nExample:%n", footer = "  dynamo deploy uninstall my-graph --wait")
final class DeployUninstallCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeployRef deploy;

  @Option(names = "--keep-history",
      description = "Kubernetes: keep the revision records (the live one marked uninstalled), so history and rollback --to-revision still work. Slurm always keeps them.")
  boolean keepHistory;

  @Option(names = "--wait", description = "Follow the uninstall until everything is gone (exit 0) or it failed.")
  boolean waitForEnd;

  @Override
  public Integer call() {
    return deploy.run("uninstall", true, (client, found) -> {
      DeployStarter.Started s = DeployUninstall.start(client, found.graph(), found.target(), keepHistory,
          DeployCommand.startedBy(deploy.temporal.callerEnvironment()), null);
      DeployDecisions.Outcome r = new DeployDecisions.Outcome(s.workflowId(), s.runId(), "Uninstalling "
          + found.graph() + " from " + TargetLabels.of(found.target()) + ": " + s.workflowId() + " (run " + s.runId()
          + ")", true);
      return DecisionOutput.print(client, r, waitForEnd, spec.commandLine(), deploy.temporal.caller());
    });
  }
}

package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.TargetChoice;
import ai.dynamo.deploy.workflows.TargetSpec;
import io.temporal.client.WorkflowClient;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * A deploy named on the command line (a full workflow ID {@code deploy/...}, or a graph name plus target flags) and
 * the Temporal service it runs on: what every verb that acts on one deploy takes.
 */
final class DeployRef {
  @Parameters(index = "0", paramLabel = "NAME",
      description = "Graph name (with the target flags used to deploy it), or workflow ID (deploy/<target>/<location>/<graph>).")
  String name;

  @Mixin TargetOptions target;
  @Mixin TemporalOptions temporal;

  String workflowId() {
    if (name.startsWith("deploy/")) return name;
    TargetChoice choice = target.resolve();
    return choice.workflowId(name);
  }

  /** Target flags name the target only when NAME is a graph name (a workflow ID: the run's own target, or null). */
  TargetSpec targetOrNull() {
    return name.startsWith("deploy/") ? null : target.resolve().spec();
  }

  /** Connects to Temporal for one call (see {@link TemporalOptions#withClient}). */
  <T> T withClient(Function<WorkflowClient, T> body) {
    return temporal.withClient(body);
  }
}

package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.DecideDeploy;
import ai.dynamo.deploy.cli.temporal.TemporalConnection;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.function.Function;

/** Connects, runs one {@link DecideDeploy} call, prints its line: the shared body of retry, rollback and abort. */
final class DeployDecisionCommand {
  private DeployDecisionCommand() {}

  static <T> T withDecider(TemporalOptions temporal, Function<DecideDeploy, T> body) {
    TemporalConnection connection = temporal.resolve();
    WorkflowServiceStubs stubs = connection.connect();
    try {
      return body.apply(new DecideDeploy(connection.client(stubs)));
    } finally {
      stubs.shutdown();
    }
  }

  /** Target flags name the target only when {@code --target} (or a profile) was given or NAME is a graph name. */
  static ai.dynamo.deploy.workflows.TargetSpec targetOrNull(String name, TargetOptions target) {
    return name.startsWith("deploy/") ? null : target.resolve().spec();
  }
}

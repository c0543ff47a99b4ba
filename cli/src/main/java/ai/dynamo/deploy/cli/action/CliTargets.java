package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.activities.DeployTarget;
import ai.dynamo.deploy.activities.DeployTargets;
import ai.dynamo.deploy.activities.k8s.K8sTarget;
import ai.dynamo.deploy.activities.k8s.KubeClients;
import ai.dynamo.deploy.activities.slurm.SlurmTarget;
import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The targets the CLI reaches itself ({@code deploy logs}, {@code deploy status}'s live check), built with the user's
 * own configuration: their kubeconfig or {@code --kubeconfig}, their SSH keys and known_hosts. Each call to the target
 * is bounded by {@code requestTimeout}.
 */
final class CliTargets {
  private CliTargets() {}

  static DeployTarget of(String kind, Path kubeconfig, Duration requestTimeout) {
    return switch (kind) {
      case TargetChoice.K8S -> new K8sTarget(KubeClients.fromFile(kubeconfig, requestTimeout), Clock.systemUTC());
      case TargetChoice.SLURM -> new SlurmTarget().withCommandTimeout(requestTimeout);
      default -> DeployTargets.contributed().stream().filter(t -> t.kind().equals(kind)).findFirst()
          .orElseThrow(() -> new UserError(ExitCodes.INVALID, "error: no target " + kind + " in this program"));
    };
  }

  /** Closes the clients of one command (a target that keeps none is left alone). */
  static void close(DeployTarget target) {
    if (target instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // the clients of one command: nothing to keep
      }
    }
  }
}

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

  /** Builds the target, runs {@code read} with it, and closes its clients whatever happens. */
  static <T> T with(String kind, Path kubeconfig, Duration requestTimeout,
      java.util.function.Function<DeployTarget, T> read) {
    DeployTarget target = of(kind, kubeconfig, requestTimeout);
    try {
      return read.apply(target);
    } finally {
      close(target);
    }
  }

  /** Closes the clients of one command (a target that keeps none is left alone). */
  private static void close(DeployTarget target) {
    if (target instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // the clients of one command: nothing to keep
      }
    }
  }
}

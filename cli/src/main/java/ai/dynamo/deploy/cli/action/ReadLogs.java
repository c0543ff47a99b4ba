package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.DeployTarget;
import ai.dynamo.deploy.activities.DeployTargets;
import ai.dynamo.deploy.activities.LogRequest;
import ai.dynamo.deploy.activities.k8s.K8sTarget;
import ai.dynamo.deploy.activities.k8s.KubeClients;
import ai.dynamo.deploy.activities.slurm.SlurmTarget;
import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.client.DeployResolver.Resolution;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * {@code dynamo deploy logs}: the deploy's target, built here in the CLI with the user's own configuration (their
 * kubeconfig or {@code --kubeconfig}, their SSH keys and known_hosts), reads the output ({@link DeployTarget#logs}).
 */
public final class ReadLogs {
  private final Path kubeconfig;
  private final Duration requestTimeout;
  private final PrintWriter err;

  public ReadLogs(Path kubeconfig, Duration requestTimeout, PrintWriter err) {
    this.kubeconfig = kubeconfig;
    this.requestTimeout = requestTimeout;
    this.err = err;
  }

  public void read(Resolution found, LogRequest request, PrintWriter out) {
    DeployTarget target = target(found.target().kind());
    DeployContext ctx = DeployContext.named(found.graph(), found.target(), "");
    Spinner.around(err, ProgressView.interactiveTerminal() && !request.follow(),
        "reading " + request.component() + " on " + found.target().kind() + "@" + found.target().location(), () -> {
          target.logs(ctx, request, line -> {
            out.println(line);
            if (request.follow()) out.flush();
          });
          return null;
        });
    out.flush();
    if (target instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // the clients of one command: nothing to keep
      }
    }
  }

  private DeployTarget target(String kind) {
    return switch (kind) {
      case TargetChoice.K8S -> new K8sTarget(KubeClients.fromFile(kubeconfig, requestTimeout), Clock.systemUTC());
      case TargetChoice.SLURM -> new SlurmTarget().withCommandTimeout(requestTimeout);
      default -> DeployTargets.contributed().stream().filter(t -> t.kind().equals(kind)).findFirst()
          .orElseThrow(() -> new UserError(ExitCodes.INVALID, "error: no target " + kind + " in this program"));
    };
  }
}

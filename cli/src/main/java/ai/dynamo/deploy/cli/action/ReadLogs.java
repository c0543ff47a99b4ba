package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.workflows.TargetLabels;
import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.DeployTarget;
import ai.dynamo.deploy.activities.LogRequest;
import ai.dynamo.deploy.client.DeployResolver.Resolution;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code dynamo deploy logs}: the deploy's target, built here in the CLI with the user's own configuration (their
 * kubeconfig or {@code --kubeconfig}, their SSH keys and known_hosts), reads the output ({@link DeployTarget#logs}).
 */
public final class ReadLogs {
  private final Path kubeconfig;
  private final Duration requestTimeout;
  private final PrintWriter err;
  private final boolean interactive;

  /** @param interactive whether the caller's stderr is a terminal (the spinner), as {@link Invocation} says */
  public ReadLogs(Path kubeconfig, Duration requestTimeout, PrintWriter err, boolean interactive) {
    this.kubeconfig = kubeconfig;
    this.requestTimeout = requestTimeout;
    this.err = err;
    this.interactive = interactive;
  }

  public void read(Resolution found, LogRequest request, PrintWriter out) {
    DeployContext ctx = DeployContext.named(found.graph(), found.target(), "");
    // The clients are closed when the read fails too (in the daemon they would otherwise outlive the command).
    CliTargets.with(found.target().kind(), kubeconfig, requestTimeout, target ->
        Spinner.around(err, interactive && !request.follow(),
            "reading " + request.component() + " on " + TargetLabels.of(found.target()), () -> {
              target.logs(ctx, request, line -> {
                out.println(line);
                if (request.follow()) out.flush();
              });
              return null;
            }));
    out.flush();
  }
}

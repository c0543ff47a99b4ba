package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.workflows.TargetLabels;
import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.DeployTarget;
import ai.dynamo.deploy.activities.LiveRevision;
import ai.dynamo.deploy.client.LiveCheck;
import ai.dynamo.deploy.workflows.DeployRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code dynamo deploy status}'s live check ({@link LiveCheck}): the deploy's target, built here with the user's own
 * configuration as for {@code deploy logs}, answers with its own health check of the live revision
 * ({@link DeployTarget#liveRevision}, the one a re-deploy uses to find a live copy that is not healthy). Kubernetes: a
 * read of the revision records and one GET per workload; Slurm: one read of {@code state.json} and one
 * {@code squeue} over the kept SSH login.
 */
public final class ReadLive implements LiveCheck {
  private final Path kubeconfig;
  private final Duration requestTimeout;

  public ReadLive(Path kubeconfig, Duration requestTimeout) {
    this.kubeconfig = kubeconfig;
    this.requestTimeout = requestTimeout;
  }

  @Override
  public Live read(DeployRequest request, String workflowId, String runId) {
    LiveRevision live = CliTargets.with(request.target().kind(), kubeconfig, requestTimeout,
        target -> target.liveRevision(new DeployContext(request, workflowId, runId)));
    List<Component> components = new ArrayList<>();
    for (Map.Entry<String, LiveRevision.Component> e : live.components().entrySet()) {
      LiveRevision.Component c = e.getValue();
      components.add(new Component(e.getKey(), c.revision(), c.healthy(), c.health()));
    }
    return new Live(live.revision(), TargetLabels.of(request.target()), components);
  }
}

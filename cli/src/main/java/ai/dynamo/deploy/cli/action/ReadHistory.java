package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.DeployTarget;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.client.Causes;
import ai.dynamo.deploy.client.RecordsRead;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.TargetLabels;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code dynamo deploy history}'s read ({@link RecordsRead}): the deploy's target, built here with the user's own
 * configuration as for {@code deploy logs}, reads its records ({@link DeployTarget#history}). Kubernetes: one list of
 * the revision Secrets; Slurm: one read of {@code state.json} over SSH.
 */
public final class ReadHistory implements RecordsRead {
  private final Path kubeconfig;
  private final Duration requestTimeout;

  public ReadHistory(Path kubeconfig, Duration requestTimeout) {
    this.kubeconfig = kubeconfig;
    this.requestTimeout = requestTimeout;
  }

  @Override
  public List<RevisionEntry> history(String graph, TargetSpec place) {
    try {
      return CliTargets.with(place.kind(), kubeconfig, requestTimeout,
          target -> target.history(DeployContext.named(graph, place, "")));
    } catch (TargetFailure f) {
      throw f;
    } catch (RuntimeException e) {
      // What the worker would have retried (an API server that refused, a 5xx): here it ends the command, exit 4.
      throw TargetFailure.transientFailure("cannot read the records of " + graph + " on " + TargetLabels.of(place)
          + ": " + Causes.withRoot(e), e);
    }
  }
}

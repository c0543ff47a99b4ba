package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.workflows.ComponentPhase;
import ai.dynamo.deploy.workflows.ComponentProgress;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.DeployWorkflow;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for the engine's workflow in client tests: walks every component PENDING -> APPLYING -> READY with
 * short sleeps, ends as the {@code outcome} setting says (READY, FAILED, TIMED_OUT), and rolls back on cancel. It
 * tests the client's side of the contract (start, attach, query, result, cancel), not orchestration.
 */
public class ScriptedDeployWorkflow implements DeployWorkflow {
  private DeployProgress progress;

  @Override
  public DeployResult deploy(DeployRequest request) {
    Duration step = Duration.ofMillis(Long.parseLong(request.target().settings().getOrDefault("stepMillis", "100")));
    Phase outcome = Phase.valueOf(request.target().settings().getOrDefault("outcome", "READY"));
    String target = request.target().kind() + "@" + request.target().location();
    List<ComponentProgress> components = new ArrayList<>();
    for (Component c : request.graph().components()) {
      components.add(new ComponentProgress(c.name(), ComponentPhase.PENDING, 0, c.replicas(), "", now()));
    }
    progress = new DeployProgress(request.graph().name(), target, Phase.APPLYING, 1, "", components, now(), now());
    try {
      for (int i = 0; i < components.size(); i++) {
        ComponentProgress c = components.get(i);
        set(components, i, ComponentPhase.APPLYING, 0, "applying");
        Workflow.sleep(step);
        if (outcome != Phase.READY && i == components.size() - 1) {
          set(components, i, ComponentPhase.FAILED, 0, "scripted " + outcome);
          progress = with(outcome, "scripted " + outcome, components);
          return new DeployResult(outcome, 0, "scripted " + outcome, progress);
        }
        set(components, i, ComponentPhase.READY, c.desired(), "");
      }
      progress = with(Phase.READY, "all components ready", components);
      return new DeployResult(Phase.READY, 1, "all components ready", progress);
    } catch (CanceledFailure cancelled) {
      // Like the engine: the rollback runs in a detached scope after cancellation.
      Workflow.newDetachedCancellationScope(() -> {
        for (int i = 0; i < components.size(); i++) set(components, i, ComponentPhase.ROLLED_BACK, 0, "rolled back");
      }).run();
      progress = with(Phase.CANCELLED, "cancelled; rolled back", components);
      return new DeployResult(Phase.CANCELLED, 0, "cancelled; rolled back", progress);
    }
  }

  @Override
  public DeployProgress progress() {
    return progress;
  }

  private void set(List<ComponentProgress> components, int i, ComponentPhase phase, int ready, String message) {
    ComponentProgress c = components.get(i);
    components.set(i, new ComponentProgress(c.name(), phase, ready, c.desired(), message, now()));
    progress = with(progress.phase(), progress.message(), components);
  }

  private DeployProgress with(Phase phase, String message, List<ComponentProgress> components) {
    return new DeployProgress(progress.graph(), progress.target(), phase, progress.revision(), message, components,
        progress.startedEpochMillis(), now());
  }

  private static long now() {
    return Workflow.currentTimeMillis();
  }
}

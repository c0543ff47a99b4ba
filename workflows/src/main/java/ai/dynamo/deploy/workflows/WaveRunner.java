package ai.dynamo.deploy.workflows;

import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs the waves of a plan, one at a time: every component of a wave in parallel ({@link ComponentRollout}), the
 * wave done when all are ready. The first failure stops the wave: the other waits are stopped, applies in flight
 * are waited for (a rollback must never race an apply), and the failure is thrown as {@link StepFailed}.
 *
 * <p>Held starts (docs/workflow.md): when the target can hold a start, the components the next wave adds are
 * submitted together with this wave, held; the next wave's applies release them. Their jobs then get nodes and are
 * launched while this wave starts, instead of after it is ready.
 */
final class WaveRunner {
  private final DeployPlan plan;
  private final int revision;
  private final DeployOptions options;
  private final ProgressPublisher progress;
  private final Consumer<String> touched;
  /** The update plan (null in runs from before per-component updates): each rollout's change. */
  private final UpdatePlan update;
  /** Rollouts of the running wave: a cancelled deploy waits for their applies to settle before rolling back. */
  private final List<ComponentRollout> running = new ArrayList<>();
  /**
   * Submits the components the next wave adds with the running wave, held (the target can, and the run's version).
   * Only ever true with an update plan: the components a wave adds are read from it.
   */
  private final boolean holdNext;
  /** The held applies started so far: component -> its apply (done before its own wave's apply releases it). */
  private final Map<String, Promise<ReadyState>> held = new LinkedHashMap<>();
  /** The highest wave {@link #run} has started (its held components were released by its applies); -1 before. */
  private int reached = -1;

  /**
   * @param touched told each component whose apply starts (see {@link Rollback#touched})
   */
  WaveRunner(DeployPlan plan, int revision, DeployOptions options, ProgressPublisher progress,
      Consumer<String> touched) {
    this(plan, revision, options, progress, touched, null, false);
  }

  WaveRunner(DeployPlan plan, int revision, DeployOptions options, ProgressPublisher progress,
      Consumer<String> touched, UpdatePlan update, boolean holdNext) {
    this.update = update;
    this.holdNext = holdNext;
    this.plan = plan;
    this.revision = revision;
    this.options = options;
    this.progress = progress;
    this.touched = touched;
  }

  int waves() {
    return plan.waves().size();
  }

  /**
   * Brings wave {@code index} up. A retried wave skips what is READY already (a first run has nothing READY: the
   * same commands as before there was retry).
   *
   * @throws StepFailed when a component failed or timed out
   */
  void run(int index) {
    reached = Math.max(reached, index);
    List<String> names = plan.waves().get(index).stream().filter(n -> !progress.isReady(n)).toList();
    if (names.isEmpty()) return;
    // This wave's held applies are done before its own applies release them (they ran while the last wave started).
    Workflow.await(() -> names.stream().allMatch(n -> !held.containsKey(n) || held.get(n).isCompleted()));
    List<String> early = toHold(index + 1);
    progress.enter(Phase.APPLYING, "wave " + (index + 1) + " of " + plan.waves().size() + ": applying "
        + names.size() + " component" + (names.size() == 1 ? "" : "s"));
    running.clear();
    for (String name : names) {
      ComponentChange change = update == null || update.change(name) == null ? null : update.change(name).forStep();
      running.add(new ComponentRollout(plan.component(name), revision, options.readinessTimeout(), progress, touched,
          change));
    }
    StepFailed failure = null;
    for (ComponentRollout r : running) r.start(names.size() + early.size());
    for (String name : early) hold(name, index, names.size() + early.size());
    progress.refreshDetails();
    while (failure == null && !running.stream().allMatch(ComponentRollout::done)) {
      // Throws CanceledFailure when the deploy is cancelled; the deploy rolls back.
      Workflow.await(() -> running.stream().anyMatch(ComponentRollout::hasNews));
      for (ComponentRollout r : running) {
        if (!r.hasNews()) continue;
        StepFailed f = r.advance();
        if (f != null && failure == null) failure = f;
      }
      if (failure == null
          && progress.phase() == Phase.APPLYING
          && running.stream().allMatch(ComponentRollout::pastFirstApply)) {
        progress.enter(Phase.WAITING, waitingMessage(), false);
      }
      progress.refreshDetails();
    }
    if (failure != null) {
      // Stop the rest of the wave: waits are stopped; applies are short and are waited for, never abandoned.
      for (ComponentRollout r : running) r.cancelWait();
      settle();
      throw failure;
    }
  }

  /** Waits (at most the rollback budget) for the running wave's applies in flight, held ones too, to finish. */
  void settle() {
    Workflow.await(options.rollbackTimeout(), this::settled);
  }

  /** Whether no apply of the running wave, held ones included, is in flight. */
  boolean settled() {
    return running.stream().allMatch(ComponentRollout::settled)
        && held.values().stream().allMatch(Promise::isCompleted);
  }

  /**
   * The components submitted held that nothing released: their own wave has not run, or ({@code failedReleases})
   * it ran and the apply that would have released them failed, so their jobs may still be held. On an abort, their
   * jobs never started anything (held apply order, which is wave order).
   */
  List<String> neverReleased(boolean failedReleases) {
    List<String> out = new ArrayList<>();
    for (String name : held.keySet()) {
      if (waveOf(name) > reached || failedReleases && releaseFailed(name)) out.add(name);
    }
    return out;
  }

  /** A component of the running wave whose first apply, the one that releases a held job, did not succeed. */
  private boolean releaseFailed(String name) {
    return running.stream().anyMatch(r -> r.name().equals(name) && !r.firstApplySucceeded());
  }

  private int waveOf(String name) {
    for (int i = 0; i < plan.waves().size(); i++) {
      if (plan.waves().get(i).contains(name)) return i;
    }
    return -1;
  }

  /**
   * The components of wave {@code index} to submit now, held: those it adds (a component that runs already is
   * updated in its own wave, as before), not yet held.
   */
  private List<String> toHold(int index) {
    if (!holdNext || index >= plan.waves().size()) return List.of();
    return plan.waves().get(index).stream()
        .filter(n -> update.change(n) != null && update.change(n).kind() == ChangeKind.ADD)
        .filter(n -> !held.containsKey(n) && !progress.isReady(n))
        .toList();
  }

  /**
   * Submits a component of the next wave now, its start held. A failure here fails nothing: its own wave's apply
   * submits it again and reports what went wrong then. A rollback undoes it (touched).
   */
  private void hold(String name, int runningWave, int together) {
    ComponentPlan component = plan.component(name);
    Stage first = component.stages().get(0);
    touched.accept(name);
    String until = "wave " + (runningWave + 1) + " ready";
    progress.component(name, ComponentPhase.PENDING, 0, component.desired(), "submitted early, held until " + until);
    DeployActivities applies = DeploySteps.apply("submit " + name + " held until " + until + " ("
        + component.summary() + ")");
    StepRequest step = StepRequest.held(revision, name, first, update.change(name).forStep(), together);
    // Detached, as every apply: a cancelled deploy waits for it before it rolls back.
    Workflow.newDetachedCancellationScope(() -> held.put(name, Async.function(applies::apply, step))).run();
  }

  private String waitingMessage() {
    List<String> waiting = new ArrayList<>();
    for (ComponentRollout r : running) if (!r.done()) waiting.add(r.name());
    if (waiting.isEmpty()) return "all components of the wave ready";
    String names = String.join(", ", waiting.subList(0, Math.min(5, waiting.size())));
    if (waiting.size() > 5) names += " and " + (waiting.size() - 5) + " more";
    return "waiting for " + names;
  }
}

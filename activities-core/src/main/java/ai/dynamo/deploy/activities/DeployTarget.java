package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.Renderers;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import ai.dynamo.deploy.workflows.ComponentChange;
import ai.dynamo.deploy.workflows.HeldCancelled;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionSpec;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RollbackRequest;
import ai.dynamo.deploy.workflows.Stage;
import ai.dynamo.deploy.workflows.StepRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The target side of each deploy step, one implementation per target kind ({@code k8s}, {@code slurm}, and
 * {@code fake} for tests). Every method may be called again after a lost response or a worker crash and must be
 * idempotent. Report failures that retrying cannot fix as {@link TargetFailure} with a non-retryable type; any
 * other exception is retried with backoff.
 */
public interface DeployTarget {

  /** The {@code TargetSpec.kind} this target serves. */
  String kind();

  /** Problems that make the graph or the settings invalid for this target (empty when valid). */
  default List<String> validate(DeployContext ctx) {
    return List.of();
  }

  /**
   * Renders the graph for this target (the activities call it to prove rendering works before anything is
   * applied, and targets call it again where they need files: rendering is deterministic).
   */
  default Rendering render(DeployContext ctx) {
    return Renderers.render(ctx.graph(), kind(), ctx.settings());
  }

  /**
   * Called once the graph and the settings are valid for this target, before the plan and the preflight: a target
   * may start in the background what its first contact will wait for (a login), so that the wait overlaps the steps
   * in between. It must return at once, change nothing on the target, and never fail: a problem there is left for the
   * preflight, which meets it again and reports it. Default: nothing.
   */
  default void prepare(DeployContext ctx) {}

  /** Checks before anything is applied; returns warnings. Throws {@link TargetFailure} to stop the deploy. */
  List<String> preflight(DeployContext ctx);

  /** The revision live on the target now (from the target's own records), 0 when none. */
  int currentRevision(DeployContext ctx);

  /**
   * Applies one stage of a component for a revision. For a multi-node group, {@link Stage#LEADER} creates the
   * leaders and {@link Stage#WORKERS} creates or releases the workers; it is called only once the leaders are
   * ready.
   */
  ReadyState apply(DeployContext ctx, int revision, Component component, Stage stage);

  /**
   * Waits until the stage is ready (services: ready units == desired; batch: completed), reporting to
   * {@code watch} as it goes: call {@code report} or {@code pause} at least every few seconds (the heartbeat
   * timeout is 20 s), also while blocked on a watch. Throws {@link TargetFailure#componentFailed} on a failure
   * waiting cannot fix. When {@code watch.resumedFrom()} is present, this is a retry: resume from its token.
   */
  ReadyState awaitReady(DeployContext ctx, int revision, Component component, Stage stage, ReadinessWatch watch);

  /** Records a successful revision in the target's own history. */
  void recordRevision(DeployContext ctx, RevisionRecord record);

  /**
   * Undoes a failed revision: restores {@code previousRevision}, or removes everything the revision created when
   * there is none. Never touches what this deploy does not own. Idempotent. Heartbeat through {@code watch} when it
   * takes more than a few seconds. Returns one phrase saying what it did.
   */
  String rollback(DeployContext ctx, RollbackRequest request, ReadinessWatch watch);

  // ---- operating rollouts (docs/operating.md); defaults so that targets without them keep working -----------

  /**
   * The graph's revisions from the target's own records, oldest first ({@code dynamo deploy history}). The
   * context's graph carries only the name (no components): this is not called within a deploy.
   */
  default List<RevisionEntry> history(DeployContext ctx) {
    throw TargetFailure.notSupported(kind(), "history");
  }

  /**
   * What was deployed as {@code revision} (graph and settings), kept by {@link #recordRevision}, so that
   * {@code rollback --to-revision} deploys it again exactly; empty when the target has no such revision.
   */
  default Optional<RevisionSpec> revisionSpec(DeployContext ctx, int revision) {
    throw TargetFailure.notSupported(kind(), "rollback --to-revision");
  }

  /**
   * True when this stage of the component already runs as this revision of this spec and needs no apply (a
   * retried deploy resumes where the failed one stopped: such components are checked, not re-applied). False
   * when unsure: apply is idempotent anyway.
   */
  default boolean isCurrent(DeployContext ctx, int revision, Component component, Stage stage) {
    return false;
  }

  /**
   * What the apply step says of a component that already runs as this revision of this spec: after
   * {@link #isCurrent}, or from a target whose apply finds it itself (the Slurm target, in its one remote command).
   */
  static ReadyState alreadyCurrent(int revision, Component component, Stage stage) {
    return new ReadyState(0, stage.units(component),
        "already running as revision " + revision + ": checked, not re-applied");
  }

  // ---- per-component updates (docs/workflow.md); defaults so that targets without them replace everything ------

  /**
   * The live revision per component from the target's own records: digest, the revision that runs it, and a cheap,
   * bounded health check. Default: no per-component records, so every component counts as changed.
   */
  default LiveRevision liveRevision(DeployContext ctx) {
    return LiveRevision.unknown(currentRevision(ctx));
  }

  /**
   * For the {@code auto} strategy: whether a second copy of {@code c} fits beside {@code live} right now (double
   * capacity). Default: it does (a target that cannot tell behaves as before strategies: blue/green).
   */
  default Room roomBeside(DeployContext ctx, Component c, LiveRevision.Component live) {
    return Room.fits("the " + kind() + " target reports no free capacity, so blue/green as before");
  }

  /**
   * The live revision's files of a component as the target kept them (path to text), for {@code deploy diff};
   * default none.
   */
  default Map<String, String> liveFiles(DeployContext ctx, String component, LiveRevision.Component live) {
    return Map.of();
  }

  /** The files a deploy of the request would run for {@code c} (path to text), for {@code deploy diff}. */
  default Map<String, String> wantedFiles(DeployContext ctx, Component c) {
    Map<String, String> files = new LinkedHashMap<>();
    for (RenderedFile f : ComponentDigests.alone(this, ctx, c)) files.put(f.relativePath(), f.content());
    return files;
  }

  /**
   * {@link #apply(DeployContext, int, Component, Stage)} with the planned change (strategy, nodes to avoid; null in
   * deploys from before per-component updates). Default: the change is ignored.
   */
  default ReadyState apply(DeployContext ctx, int revision, Component component, Stage stage, ComponentChange change) {
    return apply(ctx, revision, component, stage);
  }

  /**
   * Loads and runs, once, what this target's first deploy would otherwise load while the user waits (its client
   * libraries, its rendering of {@code sample}), without contacting any cluster: called by a worker before it polls
   * ({@link WorkerWarmUp}). A failure only makes the first deploy slower; it is logged, never fatal. Default: nothing.
   */
  default void warmUp(Graph sample) {}

  /**
   * Whether this target can submit a component early with its start held ({@link StepRequest#held}), so that the
   * deploy submits the components a later wave adds together with the wave before (docs/workflow.md "Held
   * starts"). Asked in the preflight. Default: it cannot.
   */
  default boolean startsHeld(DeployContext ctx) {
    return false;
  }

  /**
   * An apply with everything the workflow says of it: a held one ({@link StepRequest#held}: submit, but start only
   * when a later apply of the same stage releases it; called only when {@link #startsHeld} said yes), and how many
   * applies started together. Default: {@link #apply(DeployContext, int, Component, Stage, ComponentChange)}.
   */
  default ReadyState apply(DeployContext ctx, Component component, StepRequest step) {
    if (step.held()) throw TargetFailure.notSupported(kind(), "held starts");
    return apply(ctx, step.revision(), component, step.stage(), step.change());
  }

  /**
   * An aborted paused deploy: cancels the jobs of {@code components} that {@code revision} submitted held and that
   * were never released (they ran nothing; a held job keeps its node until its time limit). Only jobs still held
   * (never started) and of this deploy and revision; everything else stays as it is. Waits until they ended,
   * heartbeating through {@code watch}. Idempotent: a second call finds them cancelled and answers the same.
   * Default: nothing is ever held (a target without {@link #startsHeld}), so nothing to cancel.
   */
  default HeldCancelled cancelHeld(DeployContext ctx, int revision, List<String> components, ReadinessWatch watch) {
    return HeldCancelled.none();
  }

  /** {@link #awaitReady(DeployContext, int, Component, Stage, ReadinessWatch)} with the planned change. */
  default ReadyState awaitReady(DeployContext ctx, int revision, Component component, Stage stage,
      ComponentChange change, ReadinessWatch watch) {
    return awaitReady(ctx, revision, component, stage, watch);
  }

  /**
   * The highest revision number the target's records hold, live or not (after an uninstall that kept its records,
   * nothing is live but the next deploy numbers on). Defaults to the live revision.
   */
  default int lastRevision(DeployContext ctx) {
    return currentRevision(ctx);
  }

  // ---- operating a graph by name (docs/operating.md) -------------------------------------------------------

  /**
   * Removes everything the graph runs at this place ({@code dynamo deploy uninstall}): only what this deploy owns
   * (its labels, its jobs), waiting until it is gone and heartbeating through {@code watch}; records the uninstall
   * in the target's own history. With {@code keepHistory} false the revision records go too where the target keeps
   * them as objects beside the graph (Kubernetes). Idempotent. The context's graph carries only the name. Returns one
   * phrase saying what went.
   */
  default String uninstall(DeployContext ctx, boolean keepHistory, ReadinessWatch watch) {
    throw TargetFailure.notSupported(kind(), "uninstall");
  }

  /**
   * Writes a component's output to {@code lines}, line by line ({@code dynamo deploy logs}); with
   * {@code follow}, keeps writing until the thread is interrupted or the output ends. Runs in the CLI with the
   * user's own credentials (kubectl's habit), not on a worker: logs never pass through Temporal. The context's
   * graph carries only the name. Never writes anything but the process's own output.
   */
  default void logs(DeployContext ctx, LogRequest request, Consumer<String> lines) {
    throw TargetFailure.notSupported(kind(), "logs");
  }
}

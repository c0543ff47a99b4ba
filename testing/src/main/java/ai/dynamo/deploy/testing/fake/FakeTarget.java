package ai.dynamo.deploy.testing.fake;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.DeployTarget;
import ai.dynamo.deploy.activities.LogRequest;
import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Names;
import ai.dynamo.deploy.render.Rendering;
import ai.dynamo.deploy.workflows.HeldCancelled;
import ai.dynamo.deploy.workflows.ReadinessHeartbeat;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RevisionSpec;
import ai.dynamo.deploy.workflows.RevisionStatus;
import ai.dynamo.deploy.workflows.RollbackRequest;
import ai.dynamo.deploy.workflows.Stage;
import ai.dynamo.deploy.workflows.StepRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A real, in-process deploy target that runs nothing: it keeps what it "runs" in memory (and in a directory when
 * given one, so a restarted worker process sees it) and is scripted by target settings. For tests only: it lives in
 * the testing module, which is never shipped. Tests hand it to a worker ({@code DeployEnvironment},
 * {@code DeployRegistration.of}); this module also contributes it through {@code META-INF/services}, so a worker or
 * CLI started on a test class path (another JVM: {@code dynamo server} in a process test) serves kind {@code fake}.
 *
 * <p>Settings (all optional):
 *
 * <ul>
 *   <li>{@code fake.readyAfterSeconds}: a stage becomes ready this long after it was applied (default 0); ready
 *       counts grow linearly meanwhile; {@code fake.readyAfterSeconds.<component>} overrides it for one component
 *   <li>{@code fake.failComponent}: comma-separated components that fail; {@code fake.failStage} says where:
 *       {@code apply}, {@code leader}, {@code workers} or {@code await} (default: the readiness wait of the
 *       component's last stage); {@code fake.failMessage} is the target's message (default a CrashLoopBackOff)
 *   <li>{@code fake.neverReady}: comma-separated components that stay Pending (for timeouts)
 *   <li>{@code fake.preflightFailure}: a failure type from {@code DeployFailures} the preflight raises
 *   <li>{@code fake.transientApplyFailures}: each apply fails this many times with a transient error first
 *   <li>{@code fake.pollMillis}: how often a readiness wait looks (default 200)
 *   <li>{@code fake.preflightSeconds}: the preflight takes this long (default 0)
 *   <li>{@code fake.startsHeld}: {@code true} makes the fake say it can hold starts, as the Slurm target does; held
 *       applies are logged ({@code apply-held <component> <stage> with <applies started together>}); an abort's
 *       {@code cancelHeld} cancels those no later apply released (logged {@code cancel-held <component> rev <N>};
 *       kept in memory)
 * </ul>
 */
public final class FakeTarget implements DeployTarget {
  public static final String KIND = "fake";

  public static final String READY_AFTER_SECONDS = "fake.readyAfterSeconds";
  public static final String FAIL_COMPONENT = "fake.failComponent";
  public static final String FAIL_STAGE = "fake.failStage";
  public static final String FAIL_MESSAGE = "fake.failMessage";
  public static final String NEVER_READY = "fake.neverReady";
  public static final String PREFLIGHT_FAILURE = "fake.preflightFailure";
  public static final String TRANSIENT_APPLY_FAILURES = "fake.transientApplyFailures";
  public static final String POLL_MILLIS = "fake.pollMillis";
  public static final String PREFLIGHT_SECONDS = "fake.preflightSeconds";
  /** {@code true}: the fake can hold starts, as the Slurm target can (then held applies come; logged apply-held). */
  public static final String STARTS_HELD = "fake.startsHeld";

  private final Clock clock;
  private final FakeStateStore store;
  private final FakeFailures failures = new FakeFailures();
  private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  private final FakeHeldStarts held = new FakeHeldStarts();

  /**
   * Gives {@link #FakeTarget()} a state directory. The CLI builds its own target for what it reads itself (history,
   * logs, status's live check) through {@code META-INF/services}; a test whose worker keeps its fake's state in a
   * directory sets this to it, so that the CLI's fake sees what the worker's ran (and clears it when done).
   */
  public static final String STATE_DIR_PROPERTY = "dynamo.fake.stateDir";

  /** State in memory only, unless the {@value #STATE_DIR_PROPERTY} system property names a state directory. */
  public FakeTarget() {
    this(stateDirFromProperty(), Clock.systemUTC());
  }

  private static Path stateDirFromProperty() {
    String dir = System.getProperty(STATE_DIR_PROPERTY);
    return dir == null || dir.isBlank() ? null : Path.of(dir);
  }

  /** State in memory and in {@code stateDir/fake-state.json}. */
  public FakeTarget(Path stateDir) {
    this(stateDir, Clock.systemUTC());
  }

  public FakeTarget(Path stateDir, Clock clock) {
    this.store = new FakeStateStore(stateDir);
    this.clock = clock;
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** Every call so far, in order, e.g. {@code apply sglang_worker LEADER}: what tests assert on. */
  public List<String> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  /** The live revision of a graph at a place, 0 when none. */
  public synchronized int liveRevision(String location, String graph) {
    FakeState s = store.find(location, graph);
    return s == null ? 0 : s.liveRevision;
  }

  /** What runs for a graph at a place: component name -> revision. */
  public synchronized Map<String, Integer> running(String location, String graph) {
    FakeState s = store.find(location, graph);
    return s == null ? Map.of() : FakeRevisions.running(s, unit -> unit.revision);
  }

  /** What runs for a graph at a place: component name -> spec digest of the deploy that applied it. */
  public synchronized Map<String, String> runningSpecs(String location, String graph) {
    FakeState s = store.find(location, graph);
    return s == null ? Map.of() : FakeRevisions.running(s, unit -> unit.specDigest);
  }

  /** The cause of a component's scripted failure is fixed: from now on it does not fail (pause -> retry tests). */
  public synchronized void fix(String location, String graph, String component) {
    store.get(location, graph).fixed.add(component);
    store.save();
  }

  // ---- DeployTarget -----------------------------------------------------------------------------------------

  @Override
  public List<String> validate(DeployContext ctx) {
    return FakeSettings.problems(ctx.settings());
  }

  @Override
  public Rendering render(DeployContext ctx) {
    return new Rendering(List.of(), List.of());
  }

  @Override
  public List<String> preflight(DeployContext ctx) {
    calls.add("preflight " + ctx.graph().name());
    long seconds = Long.parseLong(ctx.setting(PREFLIGHT_SECONDS, "0"));
    if (seconds > 0) {
      try {
        Thread.sleep(seconds * 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw TargetFailure.transientFailure("interrupted during preflight", e);
      }
    }
    FakeFailures.preflight(ctx);
    return List.of();
  }

  @Override
  public synchronized int currentRevision(DeployContext ctx) {
    return state(ctx).liveRevision;
  }

  @Override
  public boolean startsHeld(DeployContext ctx) {
    return Boolean.parseBoolean(ctx.setting(STARTS_HELD, "false"));
  }

  /** A held apply is only logged: the readiness time counts from the apply that releases it. */
  @Override
  public ReadyState apply(DeployContext ctx, Component component, StepRequest step) {
    if (!step.held()) {
      held.release(ctx, step.revision(), component.name());
      return DeployTarget.super.apply(ctx, component, step);
    }
    held.hold(ctx, step.revision(), component.name());
    calls.add("apply-held " + component.name() + " " + step.stage() + " with " + step.together());
    return new ReadyState(0, step.stage().units(component), "submitted, held");
  }

  /** Cancels what was held and never released ({@link FakeHeldStarts}). */
  @Override
  public HeldCancelled cancelHeld(DeployContext ctx, int revision, List<String> components, ReadinessWatch watch) {
    return held.cancel(ctx, revision, components, calls);
  }

  @Override
  public ReadyState apply(DeployContext ctx, int revision, Component component, Stage stage) {
    String name = component.name();
    failures.apply(ctx, name, stage, calls);
    calls.add("apply " + name + " " + stage);
    if (fails(ctx, name, "apply")) throw TargetFailure.componentFailed(FakeFailures.message(ctx, component));
    synchronized (this) {
      FakeRevisions.applied(state(ctx), name, revision, ctx.request().specDigest(), stage, clock);
      store.save();
    }
    return new ReadyState(0, stage.units(component), "applied " + stage.name().toLowerCase() + " of revision " + revision);
  }

  @Override
  public ReadyState awaitReady(
      DeployContext ctx, int revision, Component component, Stage stage, ReadinessWatch watch) {
    String name = component.name();
    Optional<ReadinessHeartbeat> resumed = watch.resumedFrom();
    calls.add(
        resumed.isPresent()
            ? "resume " + name + " " + stage + " from " + resumed.get().ready() + "/" + resumed.get().desired()
                + " token=" + resumed.get().resumeToken()
            : "await " + name + " " + stage);
    int desired = stage.units(component);
    String defaultReadyAfter = ctx.setting(READY_AFTER_SECONDS, "0");
    long readyAfter =
        Duration.ofSeconds(Long.parseLong(ctx.setting(READY_AFTER_SECONDS + "." + name, defaultReadyAfter))).toMillis();
    Duration poll = Duration.ofMillis(Long.parseLong(ctx.setting(POLL_MILLIS, "200")));
    boolean neverReady = FakeFailures.neverReady(ctx, name);
    boolean lastStage = stage != Stage.LEADER;
    while (true) {
      // Read each poll: a fix (FakeTarget.fix) during a wait takes effect.
      boolean fail =
          fails(ctx, name, stage.name().toLowerCase()) || (lastStage && fails(ctx, name, "await"));
      long appliedAt;
      synchronized (this) {
        Long at = FakeRevisions.appliedAt(state(ctx), name, revision, stage);
        if (at == null) throw TargetFailure.transientFailure(name + " " + stage + " is not applied yet", null);
        appliedAt = at;
      }
      String token = "applied@" + appliedAt;
      if (fail) {
        String message = FakeFailures.message(ctx, component);
        watch.report(0, desired, message, token);
        calls.add("failed " + name + " " + stage);
        throw TargetFailure.componentFailed(message);
      }
      long elapsed = clock.millis() - appliedAt;
      int ready =
          neverReady ? 0 : readyAfter == 0 || elapsed >= readyAfter ? desired : (int) (desired * elapsed / readyAfter);
      String message =
          neverReady
              ? "pod " + Names.dnsLabel(name) + "-0: Pending (0/4 nodes available: insufficient nvidia.com/gpu)"
              : ready + "/" + desired + (component.isBatch() && ready == desired ? " completed" : " ready");
      watch.report(ready, desired, message, token);
      if (ready >= desired) {
        calls.add("ready " + name + " " + stage);
        return new ReadyState(ready, desired, message);
      }
      watch.pause(poll);
    }
  }

  @Override
  public synchronized void recordRevision(DeployContext ctx, RevisionRecord record) {
    calls.add("record " + ctx.graph().name() + " rev " + record.revision());
    FakeState s = state(ctx);
    FakeRevisions.recorded(s, record, ctx.graph().components().stream().map(Component::name).toList());
    int restores = ctx.request().options() == null ? 0 : ctx.request().options().restoresRevision();
    FakeHistory.ready(s, record, restores > 0 ? "rolled back to " + restores : "");
    s.specs.put(record.revision(), new RevisionSpec(ctx.graph(), record.specDigest(), ctx.settings()));
    store.save();
  }

  @Override
  public synchronized List<RevisionEntry> history(DeployContext ctx) {
    calls.add("history " + ctx.graph().name());
    return List.copyOf(state(ctx).history);
  }

  @Override
  public synchronized Optional<RevisionSpec> revisionSpec(DeployContext ctx, int revision) {
    return Optional.ofNullable(state(ctx).specs.get(revision));
  }

  @Override
  public synchronized boolean isCurrent(DeployContext ctx, int revision, Component component, Stage stage) {
    boolean current =
        FakeRevisions.isCurrent(state(ctx), component.name(), revision, ctx.request().specDigest(), stage);
    if (current) calls.add("current " + component.name() + " " + stage);
    return current;
  }

  @Override
  public synchronized String rollback(DeployContext ctx, RollbackRequest request, ReadinessWatch watch) {
    calls.add("rollback " + ctx.graph().name() + " rev " + request.failedRevision() + " -> " + request.previousRevision());
    FakeState s = state(ctx);
    FakeRevisions.rolledBack(s, request.failedRevision(), request.previousRevision(), clock);
    FakeHistory.rolledBack(s, new RevisionEntry(request.failedRevision(), clock.millis(), ctx.request().specDigest(),
        RevisionStatus.ROLLED_BACK, ctx.request().options() == null ? "" : ctx.request().options().startedBy(),
        request.reason(), ctx.workflowId(), ctx.runId()));
    store.save();
    return request.previousRevision() > 0
        ? "restored revision " + request.previousRevision()
        : "removed " + request.components().size() + " components of revision " + request.failedRevision();
  }

  @Override
  public synchronized int lastRevision(DeployContext ctx) {
    return FakeHistory.last(state(ctx));
  }

  /** Everything stops; the live revision's entry says UNINSTALLED (kept) or every record goes. */
  @Override
  public synchronized String uninstall(DeployContext ctx, boolean keepHistory, ReadinessWatch watch) {
    calls.add("uninstall " + ctx.graph().name() + (keepHistory ? " keep-history" : ""));
    FakeState s = state(ctx);
    int removed = s.units.size();
    s.units.clear();
    String by = ctx.request().options().startedBy();
    FakeHistory.uninstalled(s, "uninstalled by " + by, clock.millis(), keepHistory);
    store.save();
    return "removed " + removed + " components";
  }

  /** Ten numbered lines ({@code <component> replica R rank K: line N}), whatever runs; nothing to follow. */
  @Override
  public void logs(DeployContext ctx, LogRequest request, Consumer<String> lines) {
    int from = request.tailLines() < 0 ? 1 : Math.max(1, 11 - request.tailLines());
    for (int n = from; n <= 10; n++) {
      lines.accept(request.component() + " replica " + request.replica() + " rank " + request.rankOrLeader()
          + ": line " + n);
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  /** A failure {@link FakeFailures} scripts here, unless {@link #fix} fixed it. */
  private boolean fails(DeployContext ctx, String name, String where) {
    if (!FakeFailures.scripted(ctx, name, where)) return false;
    synchronized (this) {
      return !state(ctx).fixed.contains(name);
    }
  }

  private FakeState state(DeployContext ctx) {
    return store.get(ctx.target().location(), ctx.graph().name());
  }
}

package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.Rendering;
import ai.dynamo.deploy.workflows.DeployActivities;
import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.RecordsRequest;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionSpec;
import ai.dynamo.deploy.workflows.RevisionStatus;
import ai.dynamo.deploy.workflows.TargetRecords;
import ai.dynamo.deploy.workflows.DeployPlan;
import ai.dynamo.deploy.workflows.DeployPlans;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.PreflightResult;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RollbackRequest;
import ai.dynamo.deploy.workflows.Stage;
import ai.dynamo.deploy.workflows.UpdatePlan;
import ai.dynamo.deploy.workflows.UpdateSettings;
import ai.dynamo.deploy.workflows.ChangeKind;
import ai.dynamo.deploy.workflows.ComponentChange;
import ai.dynamo.deploy.workflows.DeployDiff;
import ai.dynamo.deploy.workflows.StepRequest;
import ai.dynamo.deploy.workflows.CancelHeldRequest;
import ai.dynamo.deploy.workflows.HeldCancelled;
import ai.dynamo.deploy.workflows.UninstallActivities;
import ai.dynamo.deploy.workflows.UninstallRequest;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The deploy activities: target-agnostic checks here, everything target-specific delegated to the
 * {@link DeployTarget} of the request's kind. {@link TargetFailure}s become {@code ApplicationFailure}s of their
 * type (non-retryable where retrying cannot help); other exceptions are retried by the activity's policy.
 */
public class DeployActivitiesImpl implements DeployActivities, UninstallActivities {
  private final DeployTargets targets;
  private final RequestSource requests;
  private final Clock clock;

  public DeployActivitiesImpl(DeployTargets targets) {
    this(targets, new StartEventRequestSource(), Clock.systemUTC());
  }

  public DeployActivitiesImpl(DeployTargets targets, RequestSource requests, Clock clock) {
    this.targets = targets;
    this.requests = requests;
    this.clock = clock;
  }

  @Override
  public void validate() {
    DeployContext ctx = context();
    List<String> problems = new ArrayList<>(graphProblems(ctx.graph()));
    problems.addAll(UpdateSettings.problems(ctx.settings(), ctx.graph()));
    problems.addAll(call(() -> target(ctx).validate(ctx)));
    if (!problems.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "graph " + ctx.graph().name() + " is not valid for " + ctx.target().kind() + ": "
              + String.join("; ", problems),
          DeployFailures.INVALID_IR);
    }
    target(ctx).prepare(ctx);
  }

  @Override
  public DeployPlan plan() {
    DeployContext ctx = context();
    Rendering rendering =
        call(
            () -> {
              try {
                return target(ctx).render(ctx);
              } catch (IllegalArgumentException e) {
                throw TargetFailure.invalidIr(e.getMessage());
              }
            });
    return DeployPlans.plan(ctx.graph(), rendering.warnings());
  }

  @Override
  public PreflightResult preflight() {
    DeployContext ctx = context();
    DeployTarget target = target(ctx);
    List<String> warnings = call(() -> target.preflight(ctx));
    int previous = call(() -> target.currentRevision(ctx));
    int last = call(() -> target.lastRevision(ctx));
    return new PreflightResult(previous, warnings, last, call(() -> target.startsHeld(ctx)));
  }

  @Override
  public UpdatePlan planUpdate() {
    DeployContext ctx = context();
    return call(() -> new UpdatePlanner(target(ctx)).plan(ctx));
  }

  /** Cap of the diff text returned (it is an activity result, kept in the diff workflow's history). */
  static final int DIFF_LIMIT = 256 * 1024;

  @Override
  public DeployDiff diff() {
    DeployContext ctx = context();
    DeployTarget target = target(ctx);
    return call(() -> {
      UpdatePlan plan = new UpdatePlanner(target).plan(ctx);
      LiveRevision live = target.liveRevision(ctx);
      List<DeployDiff.ComponentDiff> diffs = new ArrayList<>();
      List<String> warnings = new ArrayList<>(target.render(ctx).warnings());
      int size = 0;
      for (ComponentChange change : plan.components()) {
        if (change.kind() == ChangeKind.UNCHANGED) continue;
        LiveRevision.Component now = live.components().get(change.component());
        java.util.Map<String, String> before = now == null ? java.util.Map.of()
            : target.liveFiles(ctx, change.component(), now);
        java.util.Map<String, String> after = change.kind() == ChangeKind.REMOVE ? java.util.Map.of()
            : target.wantedFiles(ctx, ctx.component(change.component()));
        String unified = RenderedDiff.unified(before, after, change.liveRevision());
        if (size + unified.length() > DIFF_LIMIT) {
          warnings.add("the diff of " + change.component() + " and later components is left out (over "
              + DIFF_LIMIT / 1024 + " KiB); render with --out_dir to compare whole files");
          unified = "";
        }
        size += unified.length();
        diffs.add(new DeployDiff.ComponentDiff(change.component(), unified));
      }
      return new DeployDiff(plan, diffs, warnings);
    });
  }

  @Override
  public ReadyState apply(StepRequest step) {
    DeployContext ctx = context();
    Component component = call(() -> ctx.component(step.component()));
    DeployTarget target = target(ctx);
    // A retried deploy resumes: what already runs as this revision of this spec is checked (awaitReady), not re-applied.
    if (call(() -> target.isCurrent(ctx, step.revision(), component, step.stage()))) {
      return DeployTarget.alreadyCurrent(step.revision(), component, step.stage());
    }
    return call(() -> target.apply(ctx, component, step));
  }

  @Override
  public ReadyState awaitReady(StepRequest step) {
    ActivityExecutionContext activity = Activity.getExecutionContext();
    DeployContext ctx = context(activity);
    Component component = call(() -> ctx.component(step.component()));
    int desired = step.stage().units(component);
    HeartbeatWatch watch =
        new HeartbeatWatch(activity, clock, step.component(), step.stage(), desired, step.timeout());
    return call(() -> target(ctx).awaitReady(ctx, step.revision(), component, step.stage(), step.change(), watch));
  }

  @Override
  public void recordRevision(RevisionRecord record) {
    DeployContext ctx = context();
    call(
        () -> {
          target(ctx).recordRevision(ctx, record);
          return null;
        });
  }

  @Override
  public String rollback(RollbackRequest request) {
    ActivityExecutionContext activity = Activity.getExecutionContext();
    DeployContext ctx = context(activity);
    HeartbeatWatch watch =
        new HeartbeatWatch(activity, clock, "rollback", Stage.ALL, 0, null);
    return call(() -> target(ctx).rollback(ctx, request, watch));
  }

  @Override
  public HeldCancelled cancelHeld(CancelHeldRequest request) {
    ActivityExecutionContext activity = Activity.getExecutionContext();
    DeployContext ctx = context(activity);
    HeartbeatWatch watch = new HeartbeatWatch(activity, clock, "cancel held", Stage.ALL, 0, null);
    return call(() -> target(ctx).cancelHeld(ctx, request.revision(), request.components(), watch));
  }

  @Override
  public TargetRecords readRecords(RecordsRequest request) {
    // Not a deploy: the context names the graph only (no components) and the deploy's workflow ID.
    DeployContext ctx = DeployContext.named(request.graph(), request.target(), "");
    DeployTarget target = target(ctx);
    List<RevisionEntry> history = call(() -> target.history(ctx));
    int live = history.stream().filter(e -> e.status() == RevisionStatus.READY)
        .mapToInt(RevisionEntry::revision).max().orElse(0);
    int wanted = request.specOf() == RecordsRequest.PREVIOUS ? TargetRecords.previous(history, live) : request.specOf();
    if (wanted <= 0) return new TargetRecords(history, live, 0, null);
    RevisionSpec spec = call(() -> target.revisionSpec(ctx, wanted)).orElse(null);
    return new TargetRecords(history, live, spec == null ? 0 : wanted, spec);
  }

  /** Runs in the uninstall workflow, whose workflow ID is the deploy's own. */
  @Override
  public String uninstall(UninstallRequest request) {
    ActivityExecutionContext activity = Activity.getExecutionContext();
    DeployContext ctx = new DeployContext(request.asDeployRequest(), activity.getInfo().getWorkflowId(),
        activity.getInfo().getRunId());
    HeartbeatWatch watch = new HeartbeatWatch(activity, clock, "uninstall", Stage.ALL, 0, null);
    return call(() -> target(ctx).uninstall(ctx, request.keepHistory(), watch));
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  /** Checks every target relies on; the loader has checked far more, this guards against hand-made requests. */
  static List<String> graphProblems(Graph graph) {
    List<String> problems = new ArrayList<>();
    if (graph == null) return List.of("the request carries no graph");
    if (graph.components().isEmpty()) problems.add("the graph has no components");
    Set<String> seen = new HashSet<>();
    for (Component c : graph.components()) {
      if (!seen.add(c.name())) problems.add("component name " + c.name() + " is used twice");
      if (c.replicas() < 1) problems.add(c.name() + ": replicas must be at least 1");
      if (c.multiNode().numNodes() < 1) problems.add(c.name() + ": num_nodes must be at least 1");
    }
    return problems;
  }

  private DeployContext context() {
    return context(Activity.getExecutionContext());
  }

  private DeployContext context(ActivityExecutionContext activity) {
    DeployRequest request = requests.requestOf(activity);
    return new DeployContext(request, activity.getInfo().getWorkflowId(), activity.getInfo().getRunId());
  }

  private DeployTarget target(DeployContext ctx) {
    return targets.get(ctx.target().kind());
  }

  /** Runs a target call, turning {@link TargetFailure} into an {@code ApplicationFailure} of its type. */
  static <T> T call(Supplier<T> body) {
    try {
      return body.get();
    } catch (TargetFailure f) {
      throw f.nonRetryable()
          ? ApplicationFailure.newNonRetryableFailureWithCause(f.getMessage(), f.type(), null)
          : ApplicationFailure.newFailureWithCause(f.getMessage(), f.type(), f.getCause());
    }
  }
}

package ai.dynamo.deploy.workflows;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The deploy activities as a small script, for the workflow's own tests (the real activities and the fake target live
 * in modules above this one): every call is logged ({@code apply vllm_worker ALL}, {@code ready ...},
 * {@code rollback rev 1 -> 0}) and answered at once, except where the test scripted a failure, a component that is
 * never ready, or a wait that blocks until {@link #release}.
 */
final class ScriptedActivities implements DeployActivities {
  private final Graph graph;
  private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  /** component -> where it fails: apply, leader, workers, or await (the last stage's wait) */
  private final Map<String, String> failures = new ConcurrentHashMap<>();
  private final Set<String> neverReady = ConcurrentHashMap.newKeySet();
  private final Set<String> blocked = ConcurrentHashMap.newKeySet();
  private final List<RollbackRequest> rollbacks = new CopyOnWriteArrayList<>();
  private final List<RevisionRecord> records = new CopyOnWriteArrayList<>();
  private volatile String preflightFailure;
  private volatile boolean rollbackFails;
  private volatile int liveRevision;
  private final Set<String> unchanged = ConcurrentHashMap.newKeySet();
  private final List<String> removed = new CopyOnWriteArrayList<>();
  private volatile UpdateStrategy strategy = UpdateStrategy.BLUE_GREEN;
  private final Map<String, ComponentChange> appliedChanges = new ConcurrentHashMap<>();
  private volatile int lastRevision;
  private volatile boolean startsHeld;
  private final Map<String, Integer> together = new ConcurrentHashMap<>();
  private final List<CancelHeldRequest> heldCancels = new CopyOnWriteArrayList<>();
  private volatile boolean cancelHeldFails;

  ScriptedActivities(Graph graph) {
    this.graph = graph;
  }

  /** {@code component} fails at {@code where}: apply, leader, workers or await. */
  ScriptedActivities fail(String component, String where) {
    failures.put(component, where);
    return this;
  }

  /** The cause of {@code component}'s failure is fixed: it stops failing. */
  void fix(String component) {
    failures.remove(component);
  }

  ScriptedActivities neverReady(String component) {
    neverReady.add(component);
    return this;
  }

  /** Waits of {@code component} heartbeat until {@link #release} (or until they are cancelled). */
  ScriptedActivities block(String component) {
    blocked.add(component);
    return this;
  }

  void release(String component) {
    blocked.remove(component);
  }

  ScriptedActivities preflightFails(String type) {
    preflightFailure = type;
    return this;
  }

  ScriptedActivities rollbackFails() {
    rollbackFails = true;
    return this;
  }

  /** The revision live on the target before the deploy. */
  ScriptedActivities live(int revision) {
    liveRevision = revision;
    return this;
  }

  /** The update planning finds these components unchanged (and healthy) in the live revision. */
  ScriptedActivities unchanged(String... names) {
    unchanged.addAll(List.of(names));
    return this;
  }

  /** The live revision has these components, which the graph no longer has. */
  ScriptedActivities removed(String... names) {
    removed.addAll(List.of(names));
    return this;
  }

  /** The strategy the planning picks for updated components. */
  ScriptedActivities strategy(UpdateStrategy chosen) {
    strategy = chosen;
    return this;
  }

  /** The highest revision the target's records hold (after an uninstall: above the live one, which is 0). */
  ScriptedActivities last(int revision) {
    lastRevision = revision;
    return this;
  }

  /** The target can hold starts (as the Slurm target can): the preflight says so. */
  ScriptedActivities startsHeld() {
    startsHeld = true;
    return this;
  }

  /** Cancelling held jobs fails (a target that cannot reach its cluster), not retried. */
  ScriptedActivities cancelHeldFails() {
    cancelHeldFails = true;
    return this;
  }

  /** Every cancelHeld request, in order. */
  List<CancelHeldRequest> heldCancels() {
    return List.copyOf(heldCancels);
  }

  /** Per applied component and stage ("name STAGE", held applies as "held name STAGE"): the together count it got. */
  Map<String, Integer> together() {
    return Map.copyOf(together);
  }

  List<String> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  /** The change each applied component's step carried. */
  Map<String, ComponentChange> appliedChanges() {
    return Map.copyOf(appliedChanges);
  }

  List<RollbackRequest> rollbacks() {
    return List.copyOf(rollbacks);
  }

  List<RevisionRecord> records() {
    return List.copyOf(records);
  }

  @Override
  public void validate() {
    calls.add("validate");
  }

  @Override
  public DeployPlan plan() {
    calls.add("plan");
    return DeployPlans.plan(graph, List.of());
  }

  @Override
  public PreflightResult preflight() {
    calls.add("preflight");
    if (preflightFailure != null) {
      throw ApplicationFailure.newNonRetryableFailure("scripted preflight refusal: " + preflightFailure,
          preflightFailure);
    }
    return new PreflightResult(liveRevision, List.of(), Math.max(liveRevision, lastRevision), startsHeld);
  }

  @Override
  public UpdatePlan planUpdate() {
    calls.add("plan update");
    List<ComponentChange> changes = new ArrayList<>();
    int live = liveRevision;
    for (Component c : graph.components()) {
      if (unchanged.contains(c.name())) {
        changes.add(new ComponentChange(c.name(), ChangeKind.UNCHANGED, null, "same spec", "d", "d", live, ""));
      } else if (live == 0) {
        changes.add(new ComponentChange(c.name(), ChangeKind.ADD, null, "new", "d", "", 0, ""));
      } else {
        changes.add(new ComponentChange(c.name(), ChangeKind.UPDATE, strategy, "spec changed", "d2", "d", live, ""));
      }
    }
    for (String r : removed) changes.add(new ComponentChange(r, ChangeKind.REMOVE, null, "not in the graph", "", "d", live, ""));
    return new UpdatePlan(live, changes, List.of());
  }

  @Override
  public DeployDiff diff() {
    calls.add("diff");
    return new DeployDiff(planUpdate(), List.of(), List.of());
  }

  @Override
  public ReadyState apply(StepRequest step) {
    together.put((step.held() ? "held " : "") + step.component() + " " + step.stage(), step.together());
    if (step.held()) {
      calls.add("apply-held " + step.component() + " " + step.stage());
      return new ReadyState(0, step.stage().units(component(step)), "submitted, held");
    }
    calls.add("apply " + step.component() + " " + step.stage());
    if (step.change() != null) appliedChanges.put(step.component(), step.change());
    if ("apply".equals(failures.get(step.component()))) throw componentFailed(step.component());
    return new ReadyState(0, step.stage().units(component(step)), "applied " + step.stage().name().toLowerCase());
  }

  @Override
  public ReadyState awaitReady(StepRequest step) {
    String name = step.component();
    calls.add("await " + name + " " + step.stage());
    String where = failures.get(name);
    boolean lastStage = step.stage() != Stage.LEADER;
    if (step.stage().name().toLowerCase().equals(where) || (lastStage && "await".equals(where))) {
      calls.add("failed " + name + " " + step.stage());
      throw componentFailed(name);
    }
    if (neverReady.contains(name)) {
      throw ApplicationFailure.newNonRetryableFailure(name + " not ready after " + Durations.asTyped(step.timeout())
          + " (0/2 ready; last: Pending)", DeployFailures.READINESS_TIMEOUT);
    }
    while (blocked.contains(name)) {
      Activity.getExecutionContext().heartbeat(null); // throws once the wait is cancelled or its deploy ended
      sleep();
    }
    int desired = step.stage().units(component(step));
    calls.add("ready " + name + " " + step.stage());
    return new ReadyState(desired, desired, desired + "/" + desired + " ready");
  }

  @Override
  public void recordRevision(RevisionRecord record) {
    calls.add("record rev " + record.revision());
    records.add(record);
    liveRevision = record.revision();
  }

  @Override
  public String rollback(RollbackRequest request) {
    calls.add("rollback rev " + request.failedRevision() + " -> " + request.previousRevision());
    rollbacks.add(request);
    if (rollbackFails) throw ApplicationFailure.newNonRetryableFailure("scripted rollback failure", "RollbackFailed");
    liveRevision = request.previousRevision();
    return "";
  }

  /** Answers as a target would: one job per component, numbered from 100 in the request's order. */
  @Override
  public HeldCancelled cancelHeld(CancelHeldRequest request) {
    calls.add("cancel-held " + String.join(",", request.components()) + " rev " + request.revision());
    heldCancels.add(request);
    if (cancelHeldFails) {
      throw ApplicationFailure.newNonRetryableFailure("scripted: login node unreachable", "TargetUnusable");
    }
    List<String> jobs = new ArrayList<>();
    for (int i = 0; i < request.components().size(); i++) jobs.add(Integer.toString(100 + i));
    return new HeldCancelled(request.components(), jobs);
  }

  @Override
  public TargetRecords readRecords(RecordsRequest request) {
    throw ApplicationFailure.newNonRetryableFailure("no records in the script", DeployFailures.NOT_SUPPORTED);
  }

  private Component component(StepRequest step) {
    return graph.components().stream().filter(c -> c.name().equals(step.component())).findFirst().orElseThrow();
  }

  private static ApplicationFailure componentFailed(String name) {
    return ApplicationFailure.newNonRetryableFailure("pod " + name + "-0: CrashLoopBackOff (exit code 1)",
        DeployFailures.COMPONENT_FAILED);
  }

  private static void sleep() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}

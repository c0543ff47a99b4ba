package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.activities.k8s.SharedInformers.Kind;
import ai.dynamo.deploy.activities.k8s.WorkloadReadiness.State;
import ai.dynamo.deploy.activities.k8s.WorkloadReadiness.Verdict;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.Stage;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Waits for one stage of one component on the worker's {@link SharedInformers} (one list-and-watch per kind and
 * namespace, whatever the number of waits; fabric8 re-lists and re-watches by itself after a dropped watch): every
 * change to the component's objects wakes the wait at once and re-evaluates {@link WorkloadReadiness}; so does a
 * tick every {@link #TICK} (the unschedulable grace period), and each evaluation reports the ready counts to the
 * {@link ReadinessWatch} (a heartbeat).
 */
final class ReadinessWaiter {
  /** Longest time between evaluations (and heartbeats) when nothing changes. */
  static final Duration TICK = Duration.ofSeconds(2);

  static final String JOB_INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";

  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;
  private final Duration unschedulableGrace;
  private final SharedInformers informers;
  /** What this worker's apply got back for a workload (null: not known here, so read it). */
  private java.util.function.Function<HasMetadata, HasMetadata> appliedHere = w -> null;

  ReadinessWaiter(KubernetesClient client, String namespace, Clock clock, Duration unschedulableGrace,
      SharedInformers informers) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
    this.unschedulableGrace = unschedulableGrace;
    this.informers = informers;
  }

  /** Uses what this worker's apply of the workloads got back instead of reading them again (see AppliedObjects). */
  ReadinessWaiter appliedHere(java.util.function.Function<HasMetadata, HasMetadata> recall) {
    this.appliedHere = recall;
    return this;
  }

  /**
   * @param objects the component's objects as rendered (names of the workloads to watch)
   * @param desired what the engine counts for this stage
   */
  ReadyState await(Component c, Stage stage, List<HasMetadata> objects, int desired, ReadinessWatch watch) {
    List<HasMetadata> workloads = workloads(c, stage, objects);
    if (workloads.isEmpty()) {
      watch.report(desired, desired, "nothing to wait for", "");
      return new ReadyState(desired, desired, "nothing to wait for");
    }
    Map<String, String> labels = workloads.get(0).getMetadata().getLabels();
    Kind kind = Kind.of(workloads.get(0));
    Set<Kind> kinds = EnumSet.of(kind, Kind.PODS);
    // A Deployment's current ReplicaSet tells its new pods from the old ones that are leaving.
    if (kind == Kind.DEPLOYMENTS) kinds.add(Kind.REPLICASETS);
    Semaphore changed = new Semaphore(0);
    GroupRestarts restarts = new GroupRestarts();
    try (SharedInformers.Lease lease = informers.lease(client, namespace, labels.get(ManifestSet.GRAPH),
        labels.get(ManifestSet.COMPONENT), kinds, o -> {
          restarts.observe(o);
          changed.release();
        })) {
      while (!lease.synced(TICK)) watch.report(0, desired, "starting the watch on " + c.name(), "");
      Map<String, HasMetadata> applied = applied(workloads);
      while (true) {
        Kind stopped = lease.stopped();
        if (stopped != null) {
          throw TargetFailure.transientFailure("the watch on " + stopped.name().toLowerCase() + " in namespace "
              + namespace + " stopped (waiting for " + c.name() + "); retrying", null);
        }
        Map<String, HasMetadata> live = new LinkedHashMap<>();
        for (HasMetadata o : lease.list(kind)) {
          if (caughtUp(o, applied.get(o.getMetadata().getName()))) live.put(o.getMetadata().getName(), o);
        }
        List<HasMetadata> current = new ArrayList<>(live.values());
        List<Pod> pods = CurrentPods.of(current, pods(c, stage, typed(lease.list(Kind.PODS), Pod.class)),
            kinds.contains(Kind.REPLICASETS) ? typed(lease.list(Kind.REPLICASETS), ReplicaSet.class) : List.of());
        Verdict v = evaluate(c, stage, workloads, live, pods, desired, restarts);
        String token = workloads.stream()
            .map(w -> live.get(w.getMetadata().getName()))
            .filter(o -> o != null)
            .map(o -> o.getMetadata().getResourceVersion())
            .findFirst().orElse("");
        watch.report(v.ready(), desired, v.message(), token);
        if (v.state() == State.READY) return new ReadyState(v.ready(), desired, v.message());
        if (v.state() == State.FAILED) throw TargetFailure.componentFailed(v.message());
        changed.tryAcquire(TICK.toMillis(), TimeUnit.MILLISECONDS);
        changed.drainPermits();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw TargetFailure.transientFailure("interrupted while waiting for " + c.name(), e);
    } catch (KubernetesClientException e) {
      throw KubeErrors.translate(e, "watch " + c.name());
    }
  }

  /**
   * The workloads as the API server has them now. A shared informer's cache may still hold a workload as it was
   * before this revision's apply (its watch event can be on the way), and judging the pods by the old spec would
   * count the old pods; so a cached workload counts only once it is at least this fresh. What this worker's apply
   * got back is as fresh (one GET per workload saved).
   */
  private Map<String, HasMetadata> applied(List<HasMetadata> workloads) {
    Map<String, HasMetadata> out = new LinkedHashMap<>();
    for (HasMetadata w : workloads) {
      HasMetadata live = appliedHere.apply(w);
      if (live == null) live = client.resource(w).inNamespace(namespace).get();
      if (live != null) out.put(live.getMetadata().getName(), live);
    }
    return out;
  }

  /** Whether a cached object is the same object as {@code applied} and not older (by generation). */
  static boolean caughtUp(HasMetadata cached, HasMetadata applied) {
    if (applied == null) return true;
    if (!java.util.Objects.equals(cached.getMetadata().getUid(), applied.getMetadata().getUid())) return false;
    Long have = cached.getMetadata().getGeneration();
    Long want = applied.getMetadata().getGeneration();
    return have == null || want == null || have >= want;
  }

  private static <T> List<T> typed(List<HasMetadata> objects, Class<T> type) {
    List<T> out = new ArrayList<>();
    for (HasMetadata o : objects) out.add(type.cast(o));
    return out;
  }

  /**
   * After a rollback: waits until the restored long-running workloads (Deployments, StatefulSets, LeaderWorkerSets;
   * Jobs are not waited for) are ready again by the workload rules. Pod failures are not checked here: the failed
   * revision's crashing pods are still there until the controllers replace them. A handful of objects that were
   * ready before, so this polls every {@link #TICK} instead of leasing informers; each look heartbeats, and the
   * rollback's own time budget bounds the wait.
   */
  void awaitRestored(List<HasMetadata> restored, ReadinessWatch watch) {
    List<HasMetadata> workloads = new ArrayList<>();
    for (HasMetadata o : restored) {
      if (o instanceof Deployment || o instanceof StatefulSet || LeaderWorkerSetApi.is(o)) workloads.add(o);
    }
    while (!workloads.isEmpty()) {
      int ready = 0;
      int desired = 0;
      String waiting = null;
      try {
        for (HasMetadata want : workloads) {
          HasMetadata live = client.resource(want).inNamespace(namespace).get();
          Verdict v = live == null
              ? Verdict.waiting(0, 0, ManifestSet.key(want) + ": not found yet")
              : WorkloadReadiness.steady(live);
          ready += v.ready();
          desired += v.desired();
          if (v.state() == State.FAILED) throw TargetFailure.componentFailed("restored " + v.message());
          if (v.state() != State.READY && waiting == null) waiting = v.message();
        }
      } catch (KubernetesClientException e) {
        throw KubeErrors.translate(e, "watch the restored revision");
      }
      watch.report(ready, desired, waiting == null ? "restored revision ready" : waiting, "");
      if (waiting == null) return;
      watch.pause(TICK);
    }
  }

  /** The workloads whose status decides this stage. */
  static List<HasMetadata> workloads(Component c, Stage stage, List<HasMetadata> objects) {
    List<HasMetadata> out = new ArrayList<>();
    for (HasMetadata o : objects) {
      if (LeaderWorkerSetApi.is(o)) {
        out.add(o); // both stages: its leaders, then its whole groups
      } else if (o instanceof Deployment || o instanceof Job) {
        if (stage != Stage.WORKERS || c.isBatch()) out.add(o);
      } else if (o instanceof StatefulSet) {
        boolean worker = ManifestSet.isWorkerStatefulSet(o);
        if (stage == Stage.ALL || worker == (stage == Stage.WORKERS)) out.add(o);
      }
    }
    return out;
  }

  /** The pods whose problems fail this stage: a group's leader stage looks at leaders only. */
  static List<Pod> pods(Component c, Stage stage, List<Pod> all) {
    if (stage == Stage.ALL) return all;
    List<Pod> out = new ArrayList<>();
    for (Pod p : all) {
      Map<String, String> labels = p.getMetadata().getLabels();
      String role = labels == null ? null : labels.get(ManifestSet.ROLE);
      boolean leader =
          c.isBatch()
              ? "0".equals(annotation(p, JOB_INDEX_ANNOTATION))
              : "leader".equals(role);
      if (stage == Stage.LEADER ? leader : !leader || c.isBatch()) out.add(p);
    }
    return out;
  }

  /** Combines the verdicts of the stage's workloads and the problems of its pods. */
  Verdict evaluate(
      Component c, Stage stage, List<HasMetadata> workloads, Map<String, HasMetadata> live, List<Pod> pods,
      int desired, GroupRestarts restarts) {
    int ready = 0;
    String waiting = null;
    for (HasMetadata want : workloads) {
      HasMetadata o = live.get(want.getMetadata().getName());
      if (o == null) {
        waiting = waiting != null ? waiting
            : want.getKind().toLowerCase() + " " + want.getMetadata().getName() + ": not found yet";
        continue;
      }
      Verdict v = verdict(c, stage, o, pods);
      if (v.state() == State.FAILED) return Verdict.failed(ready, desired, v.message());
      ready += v.ready();
      if (v.state() == State.WAITING && waiting == null) waiting = v.message();
    }
    if (waiting == null) return new Verdict(State.READY, desired, desired, readyMessage(c, stage, desired));
    // Pod problems count only once the cache holds every workload of the stage as applied (not an older copy) and
    // the controllers have seen the new spec: before that, the pods may be the old ones.
    boolean observed = workloads.stream().allMatch(w -> live.containsKey(w.getMetadata().getName()))
        && live.values().stream().allMatch(WorkloadReadiness::specObserved);
    String podProblem = observed ? PodRules.podFailure(pods, clock.instant(), unschedulableGrace) : null;
    for (HasMetadata w : workloads) {
      if (podProblem == null && LeaderWorkerSetApi.is(w)) {
        podProblem = WorkloadReadiness.groupRestartFailure(w.getMetadata().getName(), restarts.worst());
      }
    }
    if (podProblem != null) return Verdict.failed(Math.min(ready, desired), desired, podProblem);
    String pending = PodRules.pendingReason(pods);
    return Verdict.waiting(Math.min(ready, desired), desired, pending != null ? pending : waiting);
  }

  /** The verdict of one workload, counted in the units of the stage. */
  private static Verdict verdict(Component c, Stage stage, HasMetadata o, List<Pod> pods) {
    if (o instanceof Deployment d) return WorkloadReadiness.deployment(d);
    if (o instanceof StatefulSet s) return WorkloadReadiness.statefulSet(s);
    if (LeaderWorkerSetApi.is(o)) return leaderWorkerSet(stage, (GenericKubernetesResource) o, pods);
    Job job = (Job) o;
    Verdict v = WorkloadReadiness.job(job);
    if (!c.multiNode().isMultiNode() || v.state() == State.FAILED) return v;
    // A multi-node batch group is one Indexed Job: its leader stage waits for the index-0 pod to run, its
    // workers stage for the Job to complete; each counts its own units.
    if (stage == Stage.LEADER) {
      boolean leaderUp = v.isReady() || pods.stream()
          .filter(p -> job.getMetadata().getName().equals(p.getMetadata().getLabels().get("job-name"))
              || p.getMetadata().getName().startsWith(job.getMetadata().getName() + "-0"))
          .anyMatch(PodRules::podReady);
      return leaderUp
          ? new Verdict(State.READY, 1, 1, "job " + job.getMetadata().getName() + ": leader running")
          : Verdict.waiting(0, 1, "job " + job.getMetadata().getName() + ": leader not running yet");
    }
    int workers = c.multiNode().numNodes() - 1;
    return new Verdict(v.state(), v.isReady() ? workers : Math.min(v.ready(), workers), workers, v.message());
  }

  /**
   * A LeaderWorkerSet in the units of the stage: its leader stage counts Ready leaders, its workers stage workers
   * (the whole LeaderWorkerSet ready counts every worker; before that, the Ready worker pods).
   */
  private static Verdict leaderWorkerSet(Stage stage, GenericKubernetesResource lws, List<Pod> pods) {
    if (stage == Stage.LEADER) return WorkloadReadiness.leaderWorkerSetLeaders(lws, pods);
    Verdict groups = WorkloadReadiness.leaderWorkerSet(lws);
    int workers = LeaderWorkerSetApi.replicas(lws) * (LeaderWorkerSetApi.size(lws) - 1);
    if (groups.isReady()) return new Verdict(State.READY, workers, workers, groups.message());
    int ready = (int) pods.stream().filter(PodRules::podReady).count();
    return new Verdict(groups.state(), Math.min(ready, workers), workers, groups.message());
  }

  private static String readyMessage(Component c, Stage stage, int desired) {
    String units = c.isBatch() ? " completed" : " ready";
    String what = switch (stage) {
      case ALL -> "";
      case LEADER -> c.isBatch() ? " leaders running" : " leaders";
      case WORKERS -> " workers";
    };
    return desired + "/" + desired + what + (stage == Stage.LEADER && c.isBatch() ? "" : units);
  }

  private static String annotation(Pod p, String key) {
    return p.getMetadata().getAnnotations() == null ? null : p.getMetadata().getAnnotations().get(key);
  }
}

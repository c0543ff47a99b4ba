package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.activities.k8s.WorkloadReadiness.State;
import ai.dynamo.deploy.activities.k8s.WorkloadReadiness.Verdict;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.Stage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Waits for one stage of one component with informers (list, then watch; fabric8 re-lists and re-watches by itself
 * after a dropped watch), re-evaluating {@link WorkloadReadiness} on every change and at least every
 * {@link #TICK}, and reporting the ready counts to the {@link ReadinessWatch} (a heartbeat) each time.
 */
final class ReadinessWaiter {
  /** Longest time between evaluations (and heartbeats) when nothing changes. */
  static final Duration TICK = Duration.ofSeconds(2);

  static final String JOB_INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";

  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;
  private final Duration unschedulableGrace;

  ReadinessWaiter(KubernetesClient client, String namespace, Clock clock, Duration unschedulableGrace) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
    this.unschedulableGrace = unschedulableGrace;
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
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(ManifestSet.GRAPH, workloads.get(0).getMetadata().getLabels().get(ManifestSet.GRAPH));
    selector.put(ManifestSet.COMPONENT, workloads.get(0).getMetadata().getLabels().get(ManifestSet.COMPONENT));
    Semaphore changed = new Semaphore(0);
    ResourceEventHandler<HasMetadata> wake = new Wake(changed);
    List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
    try {
      Class<? extends HasMetadata> kind = workloads.get(0).getClass();
      SharedIndexInformer<? extends HasMetadata> workloadInformer = inform(kind, selector, wake);
      informers.add(workloadInformer);
      SharedIndexInformer<Pod> podInformer = inform(Pod.class, selector, wake);
      informers.add(podInformer);
      // A Deployment's current ReplicaSet tells its new pods from the old ones that are leaving.
      SharedIndexInformer<ReplicaSet> replicaSetInformer =
          kind == Deployment.class ? inform(ReplicaSet.class, selector, wake) : null;
      if (replicaSetInformer != null) informers.add(replicaSetInformer);
      while (true) {
        for (SharedIndexInformer<? extends HasMetadata> i : informers) {
          if (i.stopped().toCompletableFuture().isDone()) {
            throw TargetFailure.transientFailure("the watch on " + c.name() + " stopped; retrying", null);
          }
        }
        Map<String, HasMetadata> live = new LinkedHashMap<>();
        for (HasMetadata o : workloadInformer.getStore().list()) live.put(o.getMetadata().getName(), o);
        List<HasMetadata> current = new ArrayList<>(live.values());
        List<Pod> pods = WorkloadReadiness.currentPods(current, pods(c, stage, podInformer.getStore().list()),
            replicaSetInformer == null ? List.of() : replicaSetInformer.getStore().list());
        Verdict v = evaluate(c, stage, workloads, live, pods, desired);
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
    } finally {
      for (SharedIndexInformer<? extends HasMetadata> i : informers) i.close();
    }
  }

  /**
   * After a rollback: waits until the restored long-running workloads (Deployments, StatefulSets; Jobs are not
   * waited for) are ready again by the workload rules. Pod failures are not checked here: the failed revision's
   * crashing pods are still there until the controllers replace them. A handful of objects that were ready
   * before, so this polls every {@link #TICK} instead of starting informers; each look heartbeats, and the
   * rollback's own time budget bounds the wait.
   */
  void awaitRestored(List<HasMetadata> restored, ReadinessWatch watch) {
    List<HasMetadata> workloads = new ArrayList<>();
    for (HasMetadata o : restored) if (o instanceof Deployment || o instanceof StatefulSet) workloads.add(o);
    while (!workloads.isEmpty()) {
      int ready = 0;
      int desired = 0;
      String waiting = null;
      try {
        for (HasMetadata want : workloads) {
          HasMetadata live = client.resource(want).inNamespace(namespace).get();
          Verdict v = live == null
              ? Verdict.waiting(0, 0, ManifestSet.key(want) + ": not found yet")
              : live instanceof Deployment d ? WorkloadReadiness.deployment(d)
              : WorkloadReadiness.statefulSet((StatefulSet) live);
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

  private <T extends HasMetadata> SharedIndexInformer<T> inform(
      Class<T> kind, Map<String, String> selector, ResourceEventHandler<HasMetadata> wake) {
    return client.resources(kind).inNamespace(namespace).withLabels(selector).inform(wake, 0);
  }

  /** The workloads whose status decides this stage. */
  static List<HasMetadata> workloads(Component c, Stage stage, List<HasMetadata> objects) {
    List<HasMetadata> out = new ArrayList<>();
    for (HasMetadata o : objects) {
      if (o instanceof Deployment || o instanceof Job) {
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
      int desired) {
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
    // Pod problems count only once the controllers have seen the new spec: before that, the pods are the old ones.
    boolean observed = live.values().stream().allMatch(WorkloadReadiness::specObserved);
    String podProblem = observed ? WorkloadReadiness.podFailure(pods, clock.instant(), unschedulableGrace) : null;
    if (podProblem != null) return Verdict.failed(Math.min(ready, desired), desired, podProblem);
    String pending = WorkloadReadiness.pendingReason(pods);
    return Verdict.waiting(Math.min(ready, desired), desired, pending != null ? pending : waiting);
  }

  /** The verdict of one workload, counted in the units of the stage. */
  private static Verdict verdict(Component c, Stage stage, HasMetadata o, List<Pod> pods) {
    if (o instanceof Deployment d) return WorkloadReadiness.deployment(d);
    if (o instanceof StatefulSet s) return WorkloadReadiness.statefulSet(s);
    Job job = (Job) o;
    Verdict v = WorkloadReadiness.job(job);
    if (!c.multiNode().isMultiNode() || v.state() == State.FAILED) return v;
    // A multi-node batch group is one Indexed Job: its leader stage waits for the index-0 pod to run, its
    // workers stage for the Job to complete; each counts its own units.
    if (stage == Stage.LEADER) {
      boolean leaderUp = v.isReady() || pods.stream()
          .filter(p -> job.getMetadata().getName().equals(p.getMetadata().getLabels().get("job-name"))
              || p.getMetadata().getName().startsWith(job.getMetadata().getName() + "-0"))
          .anyMatch(WorkloadReadiness::podReady);
      return leaderUp
          ? new Verdict(State.READY, 1, 1, "job " + job.getMetadata().getName() + ": leader running")
          : Verdict.waiting(0, 1, "job " + job.getMetadata().getName() + ": leader not running yet");
    }
    int workers = c.multiNode().numNodes() - 1;
    return new Verdict(v.state(), v.isReady() ? workers : Math.min(v.ready(), workers), workers, v.message());
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

  /** Any change wakes the waiting loop; the loop reads the informers' caches itself. */
  private record Wake(Semaphore changed) implements ResourceEventHandler<HasMetadata> {
    @Override
    public void onAdd(HasMetadata obj) {
      changed.release();
    }

    @Override
    public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
      changed.release();
    }

    @Override
    public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
      changed.release();
    }
  }
}

package ai.dynamo.deploy.testing.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TEST-ONLY stand-in for the Deployment, StatefulSet, Job controllers, the scheduler and the kubelet: every tick it
 * creates the pods each workload wants (replacing pods of an older generation), gives them container states, and
 * writes the workloads' status (generations, replica counts, revisions, Job counts and conditions), according to a
 * {@link Behaviour} per workload. The behaviour comes from {@link #behave}, else from the image tag
 * ({@code :crashloop}, {@code :badpull}, {@code :slow}, {@code :pending}), else {@link Behaviour#READY}. A tick
 * lists each kind once ({@link TickSnapshot}), handles the workloads a few at a time and writes only what changed.
 *
 * <p>With {@link #withGpuNodes} it also schedules: nodes with {@code nvidia.com/gpu} allocatable, each pod bound to a
 * node with room for its GPU requests or left Pending (PodScheduled=False, Unschedulable) with a
 * {@code FailedScheduling} event; a Deployment names its pods by template (as ReplicaSets do), so reverting the
 * template finds the old pods, and with {@code RollingUpdate} and {@code maxUnavailable: 0} keeps its old pods until
 * the new ones are ready (surge), while {@code Recreate} deletes them first.
 */
public final class SimulatedController implements AutoCloseable {

  public enum Behaviour {
    /** all pods start and become ready at once */
    READY,
    /** one more pod becomes ready every few ticks */
    SLOW,
    /** containers exit and restart: CrashLoopBackOff */
    CRASH_LOOP,
    /** the image cannot be pulled: ImagePullBackOff */
    IMAGE_PULL_BACKOFF,
    /** a referenced Secret key is missing: CreateContainerConfigError */
    CONFIG_ERROR,
    /** no node fits: PodScheduled=False, Unschedulable */
    UNSCHEDULABLE,
    /** pods stay Pending without a reason (for timeouts) */
    PENDING,
    /** Deployment: the Progressing condition reports ProgressDeadlineExceeded */
    PROGRESS_DEADLINE,
    /** Job: pods fail beyond the backoff limit */
    JOB_FAILS
  }

  static final int SLOW_TICKS_PER_POD = 6;

  // What Kubernetes' own controllers write, spelled here as Kubernetes spells them (not taken from the target under
  // test: a mistake there must not be mirrored here).
  static final String POD_TEMPLATE_HASH = "pod-template-hash";
  static final String CONTROLLER_REVISION_HASH = "controller-revision-hash";
  static final String DEPLOYMENT_REVISION = "deployment.kubernetes.io/revision";
  static final String JOB_COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
  private static final io.fabric8.kubernetes.client.utils.KubernetesSerialization SERIALIZATION =
      new io.fabric8.kubernetes.client.utils.KubernetesSerialization();

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, Behaviour> byName = new ConcurrentHashMap<>();
  private final Map<String, Integer> ticksAtGeneration = new ConcurrentHashMap<>();
  /** When a Deployment's or StatefulSet's status last said all replicas ready (System.nanoTime), by name. */
  private final Map<String, Long> readyAt = new ConcurrentHashMap<>();
  private final SimulationLoop loop = new SimulationLoop(this::tick);
  /** The workloads of one tick are handled on these threads (see {@link #runAll}). */
  private final java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newFixedThreadPool(4,
      r -> {
        Thread t = new Thread(r, "simulated-controller");
        t.setDaemon(true);
        return t;
      });
  private volatile boolean paused;
  /** Scheduling onto simulated GPU nodes, once {@link #withGpuNodes} made some (before: every pod runs at once). */
  private final SimulatedScheduler scheduler;
  private final SimulatedPods pods;

  public SimulatedController(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.scheduler = new SimulatedScheduler(client, namespace);
    this.pods = new SimulatedPods(client, namespace, scheduler);
  }

  public SimulatedController start() {
    loop.start();
    return this;
  }

  /** Workloads named {@code name} behave so (takes precedence over the image tag). */
  public SimulatedController behave(String name, Behaviour behaviour) {
    byName.put(name, behaviour);
    return this;
  }

  public void pause(boolean paused) {
    this.paused = paused;
  }

  /** Creates {@code count} nodes with {@code gpus} allocatable {@code nvidia.com/gpu} each and schedules onto them. */
  public SimulatedController withGpuNodes(int count, int gpus) {
    scheduler.addNodes(count, gpus);
    return this;
  }

  /** The events this controller wrote, as {@code reason object} lines (FailedScheduling, Scheduled, Killing). */
  public List<String> events() {
    return scheduler.events();
  }

  /** When this controller last wrote the status of Deployment or StatefulSet {@code name} all ready (nanoTime), or null. */
  public Long readyAt(String name) {
    return readyAt.get(name);
  }

  public SimulatedController keepOldPods(boolean keep) {
    pods.keepOldPods(keep);
    return this;
  }

  @Override
  public void close() {
    loop.close();
    workers.shutdownNow();
  }

  /**
   * One pass over the namespace: each kind is listed once (workloads first, then pods and ReplicaSets in a
   * {@link TickSnapshot}), so a tick costs a few LISTs plus the writes that change something, not a GET per object.
   */
  private void tick() {
    if (paused) return;
    List<Deployment> deployments = client.apps().deployments().inNamespace(namespace).list().getItems();
    List<StatefulSet> statefulSets = client.apps().statefulSets().inNamespace(namespace).list().getItems();
    List<Job> jobs = client.batch().v1().jobs().inNamespace(namespace).list().getItems();
    // Listed after the workloads: a workload created in between has no pods yet, so none is taken for an orphan.
    TickSnapshot seen = TickSnapshot.of(client, namespace);
    List<Runnable> work = new ArrayList<>();
    for (Deployment d : deployments) work.add(() -> deployment(d, seen));
    for (StatefulSet s : statefulSets) {
      if (!controlledByAnother(s)) work.add(() -> statefulSet(s, seen));
    }
    for (Job j : jobs) work.add(() -> job(j, seen));
    runAll(work);
    java.util.Set<String> owners = new java.util.HashSet<>();
    deployments.forEach(o -> owners.add(SimulatedPods.ownerKey(o)));
    statefulSets.forEach(o -> owners.add(SimulatedPods.ownerKey(o)));
    jobs.forEach(o -> owners.add(SimulatedPods.ownerKey(o)));
    collectGarbage(owners, seen);
  }

  /**
   * Runs one tick's workloads, a few at once as a cluster's controllers do (each workload's pods are its own); one
   * after another while scheduling, whose node bookkeeping is not shared safely. The first failure fails the tick
   * once all have run.
   */
  private void runAll(List<Runnable> work) {
    if (scheduler.on()) {
      work.forEach(Runnable::run);
      return;
    }
    List<java.util.concurrent.Future<?>> running = new ArrayList<>();
    for (Runnable w : work) running.add(workers.submit(w));
    RuntimeException failed = null;
    for (java.util.concurrent.Future<?> f : running) {
      try {
        f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        if (failed == null) {
          failed = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running.forEach(r -> r.cancel(true));
        throw new IllegalStateException("simulated controller stopped during a tick", e);
      }
    }
    if (failed != null) throw failed;
  }

  /**
   * The garbage collector's part: pods whose workload is gone go too (as they do once their owner is deleted). A
   * workload deleted during the tick loses its pods on the next one.
   */
  private void collectGarbage(java.util.Set<String> owners, TickSnapshot seen) {
    for (Pod p : seen.podsWithLabel(SimulatedPods.OWNER_LABEL)) {
      if (!owners.contains(p.getMetadata().getLabels().get(SimulatedPods.OWNER_LABEL))) {
        client.resource(p).inNamespace(namespace).delete();
      }
    }
  }

  /** StatefulSets another controller runs (LeaderWorkerSet's: {@link SimulatedLeaderWorkerSets}) are left to it. */
  private static boolean controlledByAnother(HasMetadata o) {
    return o.getMetadata().getOwnerReferences() != null
        && o.getMetadata().getOwnerReferences().stream().anyMatch(r -> Boolean.TRUE.equals(r.getController()));
  }

  private Behaviour behaviour(HasMetadata workload, PodTemplateSpec template) {
    Behaviour b = byName.get(workload.getMetadata().getName());
    if (b != null) return b;
    String image = template.getSpec().getContainers().get(0).getImage();
    if (image.endsWith(":crashloop")) return Behaviour.CRASH_LOOP;
    if (image.endsWith(":badpull")) return Behaviour.IMAGE_PULL_BACKOFF;
    if (image.endsWith(":slow")) return Behaviour.SLOW;
    if (image.endsWith(":pending")) return Behaviour.PENDING;
    return Behaviour.READY;
  }

  /** How many pods are ready after the ticks since this generation appeared. */
  private int readyPods(HasMetadata w, Behaviour b, int replicas) {
    String key = w.getKind() + "/" + w.getMetadata().getName() + "@" + w.getMetadata().getGeneration();
    int ticks = ticksAtGeneration.merge(key, 1, Integer::sum);
    return switch (b) {
      case READY -> replicas;
      case SLOW -> Math.min(replicas, ticks / SLOW_TICKS_PER_POD);
      default -> 0;
    };
  }

  private void deployment(Deployment d, TickSnapshot seen) {
    long gen = d.getMetadata().getGeneration() == null ? 1 : d.getMetadata().getGeneration();
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    Behaviour b = behaviour(d, d.getSpec().getTemplate());
    int ready = readyPods(d, b, replicas);
    List<String> names = new ArrayList<>();
    // Scheduling mode names pods by template, as ReplicaSets do: a reverted template finds its old pods again.
    String hash = !scheduler.on() ? "g" + gen
        : "t" + Integer.toHexString(SERIALIZATION.asJson(d.getSpec().getTemplate()).hashCode() & 0x7fffffff);
    for (int i = 0; i < replicas; i++) names.add(d.getMetadata().getName() + "-" + hash + "-" + i);
    replicaSet(d, gen, hash, seen);
    ready = pods.sync(seen, d, d.getSpec().getTemplate(), names, b, ready,
        Map.of(POD_TEMPLATE_HASH, hash));
    DeploymentStatusBuilder status = new DeploymentStatusBuilder()
        .withObservedGeneration(gen).withReplicas(replicas).withUpdatedReplicas(replicas)
        .withReadyReplicas(ready).withAvailableReplicas(ready);
    if (b == Behaviour.PROGRESS_DEADLINE) {
      status.addToConditions(new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
          .withReason("ProgressDeadlineExceeded")
          .withMessage("ReplicaSet \"" + d.getMetadata().getName() + "\" has timed out progressing.").build());
    }
    DeploymentStatus want = status.build();
    if (!Objects.equals(want, d.getStatus())) {
      d.setStatus(want);
      client.resource(d).inNamespace(namespace).patchStatus();
      if (ready == replicas) readyAt.put(d.getMetadata().getName(), System.nanoTime());
    }
  }

  /** The ReplicaSet of a Deployment's generation, and the revision annotation on both, as the controller keeps them. */
  private void replicaSet(Deployment d, long gen, String hash, TickSnapshot seen) {
    String name = d.getMetadata().getName() + "-" + hash;
    String revision = Long.toString(gen);
    io.fabric8.kubernetes.api.model.apps.ReplicaSet rs = seen.replicaSet(name);
    if (rs == null) {
      Map<String, String> labels = new LinkedHashMap<>(d.getSpec().getTemplate().getMetadata().getLabels());
      labels.put(POD_TEMPLATE_HASH, hash);
      seen.put(client.resource(new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder()
          .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
          .addToAnnotations(DEPLOYMENT_REVISION, revision)
          .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment")
          .withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid()).endOwnerReference()
          .endMetadata()
          .withNewSpec().withReplicas(d.getSpec().getReplicas()).withSelector(d.getSpec().getSelector()).endSpec()
          .build()).inNamespace(namespace).create());
    } else if (scheduler.on()) {
      // A reverted template re-uses its ReplicaSet, which takes the Deployment's new revision number (as Kubernetes does).
      if (rs.getMetadata().getAnnotations() == null || !revision.equals(rs.getMetadata().getAnnotations().get(DEPLOYMENT_REVISION))) {
        seen.put(client.apps().replicaSets().inNamespace(namespace).withName(name).edit(x -> {
          x.getMetadata().getAnnotations().put(DEPLOYMENT_REVISION, revision);
          return x;
        }));
      }
    }
    Map<String, String> annotations = d.getMetadata().getAnnotations();
    if (annotations == null || !revision.equals(annotations.get(DEPLOYMENT_REVISION))) {
      client.apps().deployments().inNamespace(namespace).withName(d.getMetadata().getName()).edit(x -> {
        x.getMetadata().getAnnotations().put(DEPLOYMENT_REVISION, revision);
        return x;
      });
    }
  }

  private void statefulSet(StatefulSet s, TickSnapshot seen) {
    long gen = s.getMetadata().getGeneration() == null ? 1 : s.getMetadata().getGeneration();
    int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
    int start = s.getSpec().getOrdinals() == null || s.getSpec().getOrdinals().getStart() == null
        ? 0 : s.getSpec().getOrdinals().getStart();
    Behaviour b = behaviour(s, s.getSpec().getTemplate());
    int ready = readyPods(s, b, replicas);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < replicas; i++) names.add(s.getMetadata().getName() + "-" + (start + i));
    String revision = s.getMetadata().getName() + "-rev" + gen;
    ready = pods.sync(seen, s, s.getSpec().getTemplate(), names, b, ready,
        Map.of(CONTROLLER_REVISION_HASH, revision));
    StatefulSetStatus want = new StatefulSetStatusBuilder()
        .withObservedGeneration(gen).withReplicas(replicas).withUpdatedReplicas(replicas)
        .withReadyReplicas(ready).withAvailableReplicas(ready).withCurrentReplicas(ready)
        .withUpdateRevision(revision)
        .withCurrentRevision(ready == replicas ? revision : s.getMetadata().getName() + "-rev" + (gen - 1))
        .build();
    if (!Objects.equals(want, s.getStatus())) {
      s.setStatus(want);
      client.resource(s).inNamespace(namespace).patchStatus();
      if (ready == replicas) readyAt.put(s.getMetadata().getName(), System.nanoTime());
    }
  }

  private void job(Job j, TickSnapshot seen) {
    int completions = j.getSpec().getCompletions() == null ? 1 : j.getSpec().getCompletions();
    int backoffLimit = j.getSpec().getBackoffLimit() == null ? 6 : j.getSpec().getBackoffLimit();
    boolean indexed = "Indexed".equals(j.getSpec().getCompletionMode());
    Behaviour b = behaviour(j, j.getSpec().getTemplate());
    int done = readyPods(j, b, completions);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < completions; i++) names.add(j.getMetadata().getName() + "-" + i);
    done = pods.sync(seen, j, j.getSpec().getTemplate(), names, b, done, Map.of("job-name", j.getMetadata().getName()));
    if (indexed) pods.annotateCompletionIndexes(seen, names, JOB_COMPLETION_INDEX);
    JobStatusBuilder status = new JobStatusBuilder().withActive(completions - done).withSucceeded(done);
    if (b == Behaviour.JOB_FAILS) {
      status.withActive(0).withSucceeded(0).withFailed(backoffLimit + 1)
          .addToConditions(new JobConditionBuilder().withType("Failed").withStatus("True")
              .withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit").build());
    } else if (done == completions) {
      status.addToConditions(new JobConditionBuilder().withType("Complete").withStatus("True").build());
    }
    JobStatus want = status.build();
    if (!Objects.equals(want, j.getStatus())) {
      j.setStatus(want);
      client.resource(j).inNamespace(namespace).patchStatus();
    }
  }
}

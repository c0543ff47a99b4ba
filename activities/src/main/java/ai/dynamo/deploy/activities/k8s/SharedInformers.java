package ai.dynamo.deploy.activities.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The informers of one worker: at most one per API client, namespace and {@link Kind}, shared by every readiness
 * wait in that namespace, so a wave of 200 components holds one watch per kind instead of 200. Each informer lists
 * and watches every object of its kind labelled {@code app.kubernetes.io/managed-by=dynamo-deploy} and indexes them
 * by graph and component; a wait {@link #lease leases} the kinds it needs for its component and is called back on
 * every change to that component's objects (event-driven: a status change reaches the waiting check as soon as the
 * watch delivers it). An informer nobody has leased for {@link #IDLE} is stopped (its watch closed).
 */
final class SharedInformers implements AutoCloseable {
  /** How long an informer no wait uses keeps its watch open (waves of one deploy follow each other closely). */
  static final Duration IDLE = Duration.ofMinutes(2);

  static final String BY_COMPONENT = "graph-component";

  /** The kinds a readiness wait watches. */
  enum Kind {
    PODS,
    REPLICASETS,
    DEPLOYMENTS,
    STATEFULSETS,
    JOBS,
    LEADERWORKERSETS;

    SharedIndexInformer<? extends HasMetadata> informer(KubernetesClient client, String namespace) {
      return switch (this) {
        case PODS -> typed(client, Pod.class, namespace);
        case REPLICASETS -> typed(client, ReplicaSet.class, namespace);
        case DEPLOYMENTS -> typed(client, Deployment.class, namespace);
        case STATEFULSETS -> typed(client, StatefulSet.class, namespace);
        case JOBS -> typed(client, Job.class, namespace);
        case LEADERWORKERSETS -> client.genericKubernetesResources(LeaderWorkerSetApi.CONTEXT).inNamespace(namespace)
            .withLabel(ManifestSet.MANAGED_BY, ManifestSet.MANAGER).runnableInformer(0);
      };
    }

    private static <T extends HasMetadata> SharedIndexInformer<T> typed(
        KubernetesClient client, Class<T> type, String namespace) {
      return client.resources(type).inNamespace(namespace)
          .withLabel(ManifestSet.MANAGED_BY, ManifestSet.MANAGER).runnableInformer(0);
    }

    /** The kind that holds a rendered workload. */
    static Kind of(HasMetadata workload) {
      if (workload instanceof Deployment) return DEPLOYMENTS;
      if (workload instanceof StatefulSet) return STATEFULSETS;
      if (workload instanceof Job) return JOBS;
      if (LeaderWorkerSetApi.is(workload)) return LEADERWORKERSETS;
      throw new IllegalArgumentException("not a workload: " + workload.getKind());
    }
  }

  private record Key(KubernetesClient client, String namespace, Kind kind) {
    // clients compare by identity: one informer per client object
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.client == client && k.namespace.equals(namespace) && k.kind == kind;
    }

    @Override
    public int hashCode() {
      return Objects.hash(System.identityHashCode(client), namespace, kind);
    }
  }

  private final Map<Key, Shared> informers = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "dynamo-informer-sweeper");
    t.setDaemon(true);
    return t;
  });

  private final Duration idle;

  SharedInformers() {
    this(IDLE);
  }

  /** With another idle time (tests). */
  SharedInformers(Duration idle) {
    this.idle = idle;
    long period = Math.max(1, idle.toMillis() / 4);
    sweeper.scheduleWithFixedDelay(this::stopIdle, period, period, TimeUnit.MILLISECONDS);
  }

  /** The component's index key, as the informers index objects by their labels. */
  static String componentKey(String graph, String component) {
    return graph + "/" + component;
  }

  /**
   * Leases the informers of {@code kinds} in a namespace for one component; {@code onChange} is called (on an
   * informer thread: keep it short) with every added, changed or deleted object of that component. Close the lease
   * when the wait ends.
   */
  Lease lease(KubernetesClient client, String namespace, String graph, String component, Set<Kind> kinds,
      Consumer<HasMetadata> onChange) {
    String key = componentKey(graph, component);
    List<Shared> used = new ArrayList<>();
    try {
      for (Kind kind : kinds) {
        Shared shared;
        synchronized (informers) {
          shared = informers.compute(new Key(client, namespace, kind),
              (k, existing) -> existing == null || existing.stoppedForGood() ? new Shared(k) : existing);
          shared.users++;
          used.add(shared);
          shared.listeners.computeIfAbsent(key, x -> ConcurrentHashMap.newKeySet()).add(onChange);
        }
      }
    } catch (RuntimeException e) {
      new Lease(key, used, onChange).close();
      throw e;
    }
    return new Lease(key, used, onChange);
  }

  /** Stops informers nobody has used for the idle time (default {@link #IDLE}). */
  void stopIdle() {
    long now = System.nanoTime();
    synchronized (informers) {
      informers.values().removeIf(s -> {
        boolean unused = s.users == 0 && now - s.idleSince > idle.toNanos();
        if (unused || s.stoppedForGood()) s.informer.stop();
        return unused || s.stoppedForGood();
      });
    }
  }

  /** How many informers run now (each holds one watch). */
  int running() {
    return informers.size();
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    synchronized (informers) {
      informers.values().forEach(s -> s.informer.stop());
      informers.clear();
    }
  }

  /** One informer and the waits listening to it, by component. */
  private static final class Shared implements ResourceEventHandler<HasMetadata> {
    final Kind kind;
    final SharedIndexInformer<HasMetadata> informer;
    final CompletableFuture<Void> synced;
    final Map<String, Set<Consumer<HasMetadata>>> listeners = new ConcurrentHashMap<>();
    int users; // guarded by the informers map
    long idleSince = System.nanoTime();

    @SuppressWarnings("unchecked")
    Shared(Key key) {
      this.kind = key.kind();
      this.informer = (SharedIndexInformer<HasMetadata>) key.kind().informer(key.client(), key.namespace());
      informer.addIndexers(Map.of(BY_COMPONENT, o -> {
        Map<String, String> labels = o.getMetadata().getLabels();
        if (labels == null || labels.get(ManifestSet.GRAPH) == null || labels.get(ManifestSet.COMPONENT) == null) {
          return List.of();
        }
        return List.of(componentKey(labels.get(ManifestSet.GRAPH), labels.get(ManifestSet.COMPONENT)));
      }));
      informer.addEventHandler(this);
      this.synced = informer.start().toCompletableFuture();
    }

    boolean stoppedForGood() {
      return informer.stopped().toCompletableFuture().isDone();
    }

    private void dispatch(HasMetadata o) {
      Map<String, String> labels = o == null ? null : o.getMetadata().getLabels();
      if (labels == null) return;
      Set<Consumer<HasMetadata>> waiting =
          listeners.get(componentKey(labels.get(ManifestSet.GRAPH), labels.get(ManifestSet.COMPONENT)));
      if (waiting != null) waiting.forEach(l -> l.accept(o));
    }

    @Override
    public void onAdd(HasMetadata obj) {
      dispatch(obj);
    }

    @Override
    public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
      dispatch(newObj);
    }

    @Override
    public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
      dispatch(obj);
    }
  }

  /** A wait's use of some informers for one component. */
  final class Lease implements AutoCloseable {
    private final String key;
    private final List<Shared> used;
    private final Consumer<HasMetadata> onChange;

    private Lease(String key, List<Shared> used, Consumer<HasMetadata> onChange) {
      this.key = key;
      this.used = used;
      this.onChange = onChange;
    }

    /**
     * Whether every informer has its first list; throws the informer's start failure (a
     * {@code KubernetesClientException}, e.g. 403) when it could not list.
     */
    boolean synced(Duration wait) throws InterruptedException {
      for (Shared s : used) {
        try {
          s.synced.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          return false;
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) throw r;
          throw new IllegalStateException(e.getCause());
        }
      }
      return true;
    }

    /** The component's objects of a kind, from the informer's cache. */
    List<HasMetadata> list(Kind kind) {
      for (Shared s : used) {
        if (s.kind == kind) return s.informer.getIndexer().byIndex(BY_COMPONENT, key);
      }
      throw new IllegalArgumentException("kind " + kind + " is not leased");
    }

    /** The first leased kind whose informer has stopped for good (its watch cannot be re-established), or null. */
    Kind stopped() {
      for (Shared s : used) {
        if (s.stoppedForGood()) return s.kind;
      }
      return null;
    }

    @Override
    public void close() {
      synchronized (informers) {
        for (Shared s : used) {
          Set<Consumer<HasMetadata>> set = s.listeners.get(key);
          if (set != null) {
            set.remove(onChange);
            if (set.isEmpty()) s.listeners.remove(key, set);
          }
          if (--s.users == 0) s.idleSince = System.nanoTime();
        }
      }
    }
  }
}

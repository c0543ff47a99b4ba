package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.LiveRevision;
import ai.dynamo.deploy.activities.Room;
import ai.dynamo.deploy.activities.DeployTarget;
import ai.dynamo.deploy.activities.LogRequest;
import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphDigest;
import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.render.TargetSettings;
import ai.dynamo.deploy.render.Renderers;
import ai.dynamo.deploy.render.Rendering;
import ai.dynamo.deploy.render.k8s.MultiNodeMode;
import ai.dynamo.deploy.render.k8s.Labels;
import ai.dynamo.deploy.workflows.ChangeKind;
import ai.dynamo.deploy.workflows.ComponentChange;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.Durations;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.UpdateSettings;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RevisionSpec;
import ai.dynamo.deploy.workflows.RollbackRequest;
import ai.dynamo.deploy.workflows.Stage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The Kubernetes deploy target (kind {@value #KIND}), with fabric8. Every step re-renders the graph from the IR
 * (rendering is deterministic, so no manifests travel through Temporal) and works only on objects labelled with
 * the graph and written by our field manager. See docs/kubernetes-target.md.
 */
public final class K8sTarget implements DeployTarget, AutoCloseable {
  public static final String KIND = "k8s";

  private final KubeClients clients;
  private final Clock clock;
  /** One informer per client, namespace and kind, shared by every readiness wait of this worker. */
  private final SharedInformers informers = new SharedInformers();
  /** {@code multinode=auto} as decided for each deploy run. */
  private final MultiNodeDecisions multiNode = new MultiNodeDecisions();
  private final K8sRevisions revisions = new K8sRevisions(this);
  /** The answers to this worker's applies: the readiness wait after an apply need not read the workloads again. */
  private final AppliedObjects applied = new AppliedObjects();

  /** The parsed manifests of recent runs: a wave's steps share one rendering. */
  private final ManifestCache manifests = new ManifestCache();

  /** Clusters from KUBECONFIG, ~/.kube/config or the in-cluster service account. */
  public K8sTarget() {
    this(KubeClients.fromKubeconfig(), Clock.systemUTC());
  }

  public K8sTarget(KubeClients clients, Clock clock) {
    this.clients = clients;
    this.clock = clock;
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** Stops the shared informers and closes the API clients this target opened (call on worker shutdown). */
  @Override
  public void close() {
    informers.close();
    clients.close();
  }

  /** Renders with {@code multinode=auto} decided by the cluster (see {@link #settings}). */
  @Override
  public Rendering render(DeployContext ctx) {
    return Renderers.render(ctx.graph(), KIND, settings(ctx));
  }

  /**
   * The request's settings with {@code multinode=auto} decided by the cluster ({@link MultiNodeDecisions}) and the
   * deploy's readiness timeout, which the startup probes allow a pod to start in (so the kubelet never kills a pod
   * the deploy still waits for).
   */
  Map<String, String> settings(DeployContext ctx) {
    Map<String, String> settings = new TreeMap<>(multiNode.settings(ctx, () -> client(ctx)));
    settings.put(TargetSettingKeys.READINESS_TIMEOUT_SECONDS,
        TargetSettings.readinessTimeoutSeconds(DeployOptions.withDefaults(ctx.request().options()).readinessTimeout()));
    return settings;
  }

  @Override
  public List<String> validate(DeployContext ctx) {
    return K8sSettings.problems(ctx);
  }

  /**
   * Renders the sample's manifests and reads them into fabric8's model, as a first apply does (the model and its
   * serialization are most of what a first deploy loads). Nothing is sent to a cluster.
   */
  @Override
  public void warmUp(Graph sample) {
    ManifestSet.of(sample, Renderers.render(sample, KIND, Map.of()), "default", 1, "warm-up");
  }

  @Override
  public List<String> preflight(DeployContext ctx) {
    ManifestSet set = manifests(ctx, 0);
    return new K8sPreflight(client(ctx), set.namespace()).run(ctx.graph(), set, K8sSettings.createNamespace(ctx),
        MultiNodeMode.of(ctx.settings()), settings(ctx));
  }

  @Override
  public int currentRevision(DeployContext ctx) {
    ManifestSet set = manifests(ctx, 0);
    return new RevisionStore(client(ctx), set.namespace()).current(set.graphLabel());
  }

  @Override
  public ReadyState apply(DeployContext ctx, int revision, Component component, Stage stage) {
    return apply(ctx, revision, component, stage, null);
  }

  /** A replaced Deployment gets the planned strategy: Recreate, or a full surge for blue/green. */
  @Override
  public ReadyState apply(DeployContext ctx, int revision, Component component, Stage stage, ComponentChange change) {
    ManifestSet set = manifests(ctx, revision);
    List<HasMetadata> objects = ManifestSet.forStage(component, set.component(component.name()), stage);
    if (change != null && change.kind() == ChangeKind.UPDATE) {
      objects = ManifestSet.copies(objects);
      K8sUpdates.strategy(objects, change);
    }
    ServerSideApplier applier = applier(ctx, set, d -> sleep(d));
    for (HasMetadata o : objects) {
      this.applied.remember(AppliedObjects.key(ctx.runId(), revision, set.namespace(), o), applier.applyOne(o));
    }
    int applied = objects.size();
    int desired = stage.units(component);
    String what = objects.isEmpty()
        ? "nothing to apply for " + stage.name().toLowerCase() + " (started with the leaders)"
        : "applied " + applied + " object" + (applied == 1 ? "" : "s") + " (" + describe(objects) + ")";
    return new ReadyState(0, desired, what);
  }

  @Override
  public ReadyState awaitReady(DeployContext ctx, int revision, Component component, Stage stage, ReadinessWatch watch) {
    return awaitReady(ctx, revision, component, stage, null, watch);
  }

  /** A blue/green copy Unschedulable for longer than {@code blueGreenGraceSeconds} fails with the hint to recreate. */
  @Override
  public ReadyState awaitReady(DeployContext ctx, int revision, Component component, Stage stage,
      ComponentChange change, ReadinessWatch watch) {
    ManifestSet set = manifests(ctx, revision);
    boolean blueGreen = change != null && change.blueGreen();
    Duration grace = K8sSettings.unschedulableGrace(ctx);
    if (blueGreen && UpdateSettings.blueGreenGrace(ctx.settings()).compareTo(grace) < 0) {
      grace = UpdateSettings.blueGreenGrace(ctx.settings());
    }
    try {
      return new ReadinessWaiter(client(ctx), set.namespace(), clock, grace, informers)
          .appliedHere(w -> applied.recall(AppliedObjects.key(ctx.runId(), revision, set.namespace(), w)))
          .await(component, stage, set.component(component.name()), stage.units(component), watch);
    } catch (TargetFailure f) {
      if (!blueGreen || !f.getMessage().contains("nschedulable")) throw f;
      throw TargetFailure.componentFailed(f.getMessage() + " (Pending for " + Durations.human(grace)
          + "): not enough free GPUs for blue/green beside revision " + change.liveRevision()
          + "; use --strategy recreate");
    }
  }

  /** Prunes objects of components the graph no longer has, then writes the revision record. */
  @Override
  public void recordRevision(DeployContext ctx, RevisionRecord record) {
    ManifestSet rendered = manifests(ctx, record.revision());
    RevisionStore store = new RevisionStore(client(ctx), rendered.namespace());
    Map<String, RevisionStore.ComponentEntry> entries = new LinkedHashMap<>();
    ManifestSet set = revisions.recorded(ctx, record, rendered, store, entries);
    ServerSideApplier applier = applier(ctx, set, K8sTarget::sleep);
    Set<String> keep = ManifestSet.keys(set.all());
    for (HasMetadata o : applier.owned(set.graphLabel())) {
      if (!keep.contains(ManifestSet.key(o))) applier.delete(o);
    }
    int restores = ctx.request().options() == null ? 0 : ctx.request().options().restoresRevision();
    // What rollback --to-revision deploys again: the IR (secret references only) and the settings (never secret).
    store.write(set, record, GraphDigest.sha256(ctx.graph()),
        new RevisionSpec(ctx.graph(), record.specDigest(), ctx.settings()),
        restores > 0 ? "rolled back to " + restores : "", entries);
  }

  /** The records, oldest first, with their statuses ({@link K8sRevisions#history}). */
  @Override
  public List<RevisionEntry> history(DeployContext ctx) {
    return revisions.history(ctx);
  }

  /** The graph and settings kept in revision N's record; a record from before specs were kept is a clear failure. */
  @Override
  public Optional<RevisionSpec> revisionSpec(DeployContext ctx, int revision) {
    return new RevisionStore(client(ctx), K8sSettings.namespace(ctx)).spec(graphLabel(ctx.graph().name()), revision);
  }

  /**
   * Every object of this stage exists, is ours, and was written for this revision by a request with this very spec
   * ({@link CurrentStage}): a retried deploy checks it instead of applying it again.
   */
  @Override
  public boolean isCurrent(DeployContext ctx, int revision, Component component, Stage stage) {
    ManifestSet set = manifests(ctx, revision);
    List<HasMetadata> objects = ManifestSet.forStage(component, set.component(component.name()), stage);
    if (objects.isEmpty()) return false; // nothing to apply: nothing to skip either
    return CurrentStage.isCurrent(client(ctx), set, objects, revision, ctx.request().specDigest());
  }

  /**
   * Restores the previous revision from its record (re-applies every object it had, deletes every object of the
   * graph it did not have), or on a failed first install deletes every object of the graph. Idempotent: a retry
   * finds less to do.
   */
  @Override
  public String rollback(DeployContext ctx, RollbackRequest request, ReadinessWatch watch) {
    ManifestSet failed = manifests(ctx, request.failedRevision());
    KubernetesClient client = client(ctx);
    ManifestSet previous = null;
    if (request.previousRevision() > 0) {
      previous = new RevisionStore(client, failed.namespace()).read(failed.graphLabel(), request.previousRevision());
      if (previous == null) {
        throw TargetFailure.preflightFailed(
            "cannot roll back: the record of revision " + request.previousRevision() + " ("
                + RevisionStore.name(failed.graphLabel(), request.previousRevision()) + ") is missing in namespace "
                + failed.namespace());
      }
    }
    K8sRollback rollback = new K8sRollback(client, applier(ctx, failed, watch::pause), clock,
        new ReadinessWaiter(client, failed.namespace(), clock, K8sSettings.unschedulableGrace(ctx), informers));
    return request.changes() != null && previous != null
        ? rollback.undo(ctx, request, failed, previous, watch)
        : rollback.restore(ctx, request, failed, previous, watch);
  }

  // ---- per-component updates (K8sRevisions) ------------------------------------------------------------------

  @Override
  public LiveRevision liveRevision(DeployContext ctx) {
    return revisions.liveRevision(ctx);
  }

  @Override
  public Room roomBeside(DeployContext ctx, Component c, LiveRevision.Component live) {
    return K8sUpdates.room(client(ctx), c, manifests(ctx, 0).component(c.name()));
  }

  @Override
  public Map<String, String> liveFiles(DeployContext ctx, String component, LiveRevision.Component live) {
    return revisions.liveFiles(ctx, component);
  }

  @Override
  public Map<String, String> wantedFiles(DeployContext ctx, Component c) {
    return K8sUpdates.asFiles(manifests(ctx, 0).component(c.name()));
  }

  // ---- operating by name (K8sUninstall, K8sLogs) -------------------------------------------------------------

  @Override
  public int lastRevision(DeployContext ctx) {
    return new RevisionStore(client(ctx), K8sSettings.namespace(ctx)).last(graphLabel(ctx.graph().name()));
  }

  @Override
  public String uninstall(DeployContext ctx, boolean keepHistory, ReadinessWatch watch) {
    return new K8sUninstall(client(ctx), K8sSettings.namespace(ctx)).run(graphLabel(ctx.graph().name()), keepHistory,
        "uninstalled by " + ctx.request().options().startedBy(), clock.millis(), watch);
  }

  @Override
  public void logs(DeployContext ctx, LogRequest request, Consumer<String> lines) {
    new K8sLogs(client(ctx), K8sSettings.namespace(ctx)).read(ctx.graph().name(), request, lines);
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  /** The graph's label value as the renderer writes it, for calls that carry only the graph's name. */
  static String graphLabel(String graphName) {
    return Labels.graphValue(graphName);
  }

  ManifestSet manifests(DeployContext ctx, int revision) {
    return manifests.get(ctx, revision, () -> render(ctx));
  }

  KubernetesClient client(DeployContext ctx) {
    try {
      KubernetesClient client = clients.client(K8sSettings.context(ctx));
      KubeConfigs.checkServer(client.getConfiguration(), K8sSettings.context(ctx),
          ctx.setting(TargetSettingKeys.K8S_SERVER, null));
      return client;
    } catch (TargetFailure e) {
      throw e;
    } catch (RuntimeException e) {
      throw TargetFailure.preflightFailed("cannot configure a Kubernetes client"
          + (K8sSettings.context(ctx) == null ? "" : " for context " + K8sSettings.context(ctx)) + ": "
          + e.getMessage());
    }
  }

  ServerSideApplier applier(DeployContext ctx, ManifestSet set, ServerSideApplier.Pauser pauser) {
    return new ServerSideApplier(client(ctx), set.namespace(), K8sSettings.forceConflicts(ctx), pauser);
  }

  private static String describe(List<HasMetadata> objects) {
    List<String> names = new ArrayList<>();
    for (HasMetadata o : objects) names.add(o.getKind() + " " + o.getMetadata().getName());
    if (names.size() > 4) return String.join(", ", names.subList(0, 4)) + " and " + (names.size() - 4) + " more";
    return String.join(", ", names);
  }

  static void sleep(java.time.Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw TargetFailure.transientFailure("interrupted", e);
    }
  }
}

package ai.dynamo.deploy.testing.k8s;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceSubresourceStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TEST-ONLY stand-in for LeaderWorkerSet (kubernetes-sigs/lws) on fabric8's mock API server, which knows the API only
 * as a CRD ({@link #installCrd}). Every tick it plays, for each LeaderWorkerSet in the namespace:
 *
 * <ul>
 *   <li>the LWS controller: the leader StatefulSet {@code <lws>} (LWS's labels, controlled by the LWS), and for each
 *       group whose leader is Ready (startupPolicy {@code LeaderReady}; at once with {@code LeaderCreated}) the worker
 *       StatefulSet {@code <lws>-<g>} (controlled by the leader pod), then the status: {@code replicas},
 *       {@code readyReplicas}, {@code updatedReplicas}, {@code observedGeneration} and the {@code Available} or
 *       {@code Progressing} condition; with {@code RecreateGroupOnPodRestart} a group any of whose containers
 *       restarted is recreated (its leader pod deleted, with the worker StatefulSet and pods); a template change
 *       recreates each group with the new template
 *   <li>the LWS pod webhook: pod labels {@code leaderworkerset.sigs.k8s.io/name|group-index|worker-index}, the size
 *       annotation, and {@code LWS_LEADER_ADDRESS}, {@code LWS_GROUP_SIZE}, {@code LWS_WORKER_INDEX} first in env
 *   <li>the StatefulSet controller, kubelet and garbage collector for those StatefulSets and pods
 * </ul>
 *
 * The {@link SimulatedController} leaves StatefulSets controlled by another object alone. Pods behave per
 * {@link #behave}, else per the image tag ({@code :crashloop}: {@link Behaviour#WORKER_CRASH}, {@code :badpull}:
 * {@link Behaviour#WORKER_IMAGE_PULL_BACKOFF}): the leaders become Ready after {@link #leaderTicks} ticks, the
 * workers one tick after they exist.
 */
public final class SimulatedLeaderWorkerSets implements AutoCloseable {

  public enum Behaviour {
    /** every pod becomes Ready */
    READY,
    /** worker containers exit with code 1 and are restarted (restartCount 1): LWS recreates the group */
    WORKER_CRASH,
    /** worker images cannot be pulled: ImagePullBackOff, no restart */
    WORKER_IMAGE_PULL_BACKOFF
  }

  /** The label LWS puts on every pod of a LeaderWorkerSet: its name. */
  public static final String NAME_LABEL = LeaderWorkerSetResource.NAME_LABEL;
  private static final String SIZE_ANNOTATION = LeaderWorkerSetResource.SIZE_ANNOTATION;
  private static final String REVISION_LABEL = LeaderWorkerSetResource.REVISION_LABEL;
  private static final ResourceDefinitionContext LWS = LeaderWorkerSetResource.CONTEXT;
  /** Ours: which simulated StatefulSet a pod belongs to (for the simulated garbage collector). */
  private static final String OWNER_LABEL = "sim-lws/statefulset";

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, Behaviour> byName = new ConcurrentHashMap<>();
  private final Map<String, Integer> ticksSinceCreated = new ConcurrentHashMap<>();
  private final Map<String, Integer> recreations = new ConcurrentHashMap<>();
  private final List<String> timeline = Collections.synchronizedList(new ArrayList<>());
  private final SimulationLoop loop = new SimulationLoop(this::tick);
  private final String since = Instant.now().toString();
  /** Ticks until a new leader pod is Ready. */
  volatile int leaderTicks = 4;

  public SimulatedLeaderWorkerSets(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** Registers the LeaderWorkerSet CRD (status subresource on), so the mock serves and discovers the API. */
  public static void installCrd(KubernetesClient client) {
    CustomResourceDefinition crd = new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName(LeaderWorkerSetResource.PLURAL + "." + LeaderWorkerSetResource.GROUP).endMetadata()
        .withNewSpec().withGroup(LeaderWorkerSetResource.GROUP).withScope("Namespaced")
        .withNewNames().withKind(LeaderWorkerSetResource.KIND).withPlural(LeaderWorkerSetResource.PLURAL)
        .withSingular("leaderworkerset").withShortNames("lws").endNames()
        .addNewVersion().withName(LeaderWorkerSetResource.VERSION).withServed(true).withStorage(true)
        .withNewSubresources().withStatus(new CustomResourceSubresourceStatus()).endSubresources()
        .endVersion().endSpec().build();
    client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
  }

  public SimulatedLeaderWorkerSets start() {
    loop.start();
    return this;
  }

  public SimulatedLeaderWorkerSets behave(String lws, Behaviour behaviour) {
    byName.put(lws, behaviour);
    return this;
  }

  /** What happened, in order: {@code leader-ready <pod>}, {@code workers-created <statefulset>}, {@code recreated <group>}. */
  public List<String> timeline() {
    synchronized (timeline) {
      return List.copyOf(timeline);
    }
  }

  /** How often the group ({@code <lws>-<index>}) was recreated. */
  public int recreations(String group) {
    return recreations.getOrDefault(group, 0);
  }

  @Override
  public void close() {
    loop.close();
  }

  private void tick() {
    List<GenericKubernetesResource> sets =
        client.genericKubernetesResources(LWS).inNamespace(namespace).list().getItems();
    for (GenericKubernetesResource lws : sets) reconcile(lws);
    collectGarbage();
  }

  private void reconcile(GenericKubernetesResource lws) {
    String name = lws.getMetadata().getName();
    LeaderWorkerSetResource read = new LeaderWorkerSetResource(lws);
    int replicas = read.replicas();
    int size = read.size();
    boolean leaderReadyFirst = "LeaderReady".equals(read.spec().get("startupPolicy"));
    boolean recreateGroups = !"None".equals(read.groupTemplate().get("restartPolicy"));
    String revision = read.revision();
    PodTemplateSpec leaderTemplate = read.leaderTemplate();
    PodTemplateSpec workerTemplate = read.workerTemplate();
    String image = workerTemplate.getSpec().getContainers().get(0).getImage();
    Behaviour behaviour = byName.getOrDefault(name,
        image.endsWith(":crashloop") ? Behaviour.WORKER_CRASH
            : image.endsWith(":badpull") ? Behaviour.WORKER_IMAGE_PULL_BACKOFF : Behaviour.READY);

    StatefulSet leaders = statefulSet(name, lws, replicas, 0, leaderTemplate, revision, lws.getMetadata().getLabels());
    int ready = 0;
    int updated = 0;
    int leaderPods = 0;
    for (int g = 0; g < replicas; g++) {
      String group = name + "-" + g;
      Pod leader = client.pods().inNamespace(namespace).withName(group).get();
      if (leader != null && !revision.equals(leader.getMetadata().getLabels().get(REVISION_LABEL))) {
        recreate(group, "template changed");
        leader = null;
      }
      if (leader == null) leader = createPod(leaders, leaderTemplate, lws, group, g, 0, size, revision);
      leaderPods++;
      boolean leaderReady = ticks(leader) >= leaderTicks;
      setStatus(leader, leaderReady ? PodState.READY : PodState.STARTING);
      if (leaderReady && !timeline.contains("leader-ready " + group)) timeline.add("leader-ready " + group);

      boolean groupReady = leaderReady;
      boolean restarted = false;
      if (size > 1 && (leaderReady || !leaderReadyFirst)) {
        StatefulSet workers = client.apps().statefulSets().inNamespace(namespace).withName(group).get();
        if (workers == null) {
          workers = statefulSet(group, leader, size - 1, 1, workerTemplate, revision, workerTemplate.getMetadata()
              .getLabels());
          timeline.add("workers-created " + group);
        }
        for (int rank = 1; rank < size; rank++) {
          String podName = group + "-" + rank;
          Pod worker = client.pods().inNamespace(namespace).withName(podName).get();
          if (worker == null) worker = createPod(workers, workerTemplate, lws, podName, g, rank, size, revision);
          PodState state = switch (behaviour) {
            case WORKER_CRASH -> ticks(worker) >= 2 ? PodState.RESTARTED : PodState.STARTING;
            case WORKER_IMAGE_PULL_BACKOFF -> PodState.IMAGE_PULL_BACKOFF;
            default -> ticks(worker) >= 1 ? PodState.READY : PodState.STARTING;
          };
          setStatus(worker, state);
          groupReady &= state == PodState.READY;
          restarted |= state == PodState.RESTARTED;
        }
      } else if (size > 1) {
        groupReady = false;
      }
      if (restarted && recreateGroups) {
        recreate(group, "a container restarted");
        continue;
      }
      if (groupReady) ready++;
      updated++;
    }
    writeStatus(lws, leaderPods, ready, updated, replicas);
  }

  /** Deletes a group's leader pod, worker StatefulSet and worker pods (LWS deletes the leader; GC the rest). */
  private void recreate(String group, String why) {
    recreations.merge(group, 1, Integer::sum);
    timeline.add("recreated " + group + " (" + why + ")");
    client.pods().inNamespace(namespace).withName(group).delete();
    client.apps().statefulSets().inNamespace(namespace).withName(group).delete();
    client.pods().inNamespace(namespace).withLabel(OWNER_LABEL, group).delete();
  }

  private StatefulSet statefulSet(String name, HasMetadata owner, int replicas, int firstOrdinal,
      PodTemplateSpec template, String revision, Map<String, String> labels) {
    StatefulSet existing = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
    if (existing != null) return existing;
    Map<String, String> all = new LinkedHashMap<>(labels == null ? Map.of() : labels);
    all.put(REVISION_LABEL, revision);
    return client.resource(new StatefulSetBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(all)
        .withOwnerReferences(controller(owner)).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewOrdinals().withStart(firstOrdinal).endOrdinals()
        .withServiceName(name).withNewSelector().withMatchLabels(Map.of(OWNER_LABEL, name)).endSelector()
        .withTemplate(template).endSpec().build()).inNamespace(namespace).create();
  }

  private Pod createPod(StatefulSet owner, PodTemplateSpec template, GenericKubernetesResource lws, String name,
      int group, int rank, int size, String revision) {
    String lwsName = lws.getMetadata().getName();
    Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
    labels.put(NAME_LABEL, lwsName);
    labels.put(LeaderWorkerSetResource.GROUP_INDEX_LABEL, Integer.toString(group));
    labels.put(LeaderWorkerSetResource.WORKER_INDEX_LABEL, Integer.toString(rank));
    labels.put(REVISION_LABEL, revision);
    labels.put(OWNER_LABEL, owner.getMetadata().getName());
    Map<String, String> annotations = new LinkedHashMap<>(
        template.getMetadata().getAnnotations() == null ? Map.of() : template.getMetadata().getAnnotations());
    annotations.put(SIZE_ANNOTATION, Integer.toString(size));
    PodSpec spec = LeaderWorkerSetResource.SERIALIZATION.clone(template.getSpec());
    spec.setSubdomain(lwsName);
    spec.getContainers().forEach(c -> {
      List<EnvVar> env = new ArrayList<>(List.of(
          new EnvVar("LWS_LEADER_ADDRESS", lwsName + "-" + group + "." + lwsName + "." + namespace, null),
          new EnvVar("LWS_GROUP_SIZE", Integer.toString(size), null),
          new EnvVar("LWS_WORKER_INDEX", Integer.toString(rank), null)));
      if (c.getEnv() != null) env.addAll(c.getEnv());
      c.setEnv(env);
    });
    return client.resource(new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).withAnnotations(annotations)
        .withOwnerReferences(controller(owner)).endMetadata()
        .withSpec(spec).build()).inNamespace(namespace).create();
  }

  private static OwnerReference controller(HasMetadata owner) {
    return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
        .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).withController(true).build();
  }

  private int ticks(Pod pod) {
    return ticksSinceCreated.merge(pod.getMetadata().getUid(), 1, Integer::sum) - 1;
  }

  private enum PodState { STARTING, READY, RESTARTED, IMAGE_PULL_BACKOFF }

  private void setStatus(Pod pod, PodState state) {
    String container = pod.getSpec().getContainers().get(0).getName();
    ContainerStatusBuilder cs = new ContainerStatusBuilder().withName(container)
        .withImage(pod.getSpec().getContainers().get(0).getImage()).withReady(state == PodState.READY)
        .withRestartCount(state == PodState.RESTARTED ? 1 : 0);
    String phase = "Running";
    switch (state) {
      case READY -> cs.withNewState().withNewRunning().withStartedAt(since).endRunning().endState();
      case STARTING -> cs.withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState();
      case RESTARTED -> cs.withNewState().withNewRunning().withStartedAt(since).endRunning().endState()
          .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error").endTerminated().endLastState();
      case IMAGE_PULL_BACKOFF -> {
        phase = "Pending";
        cs.withNewState().withNewWaiting().withReason("ImagePullBackOff")
            .withMessage("Back-off pulling image").endWaiting().endState();
      }
    }
    PodStatus want = new PodStatusBuilder().withPhase(phase)
        .withConditions(
            new PodConditionBuilder().withType("PodScheduled").withStatus("True").withLastTransitionTime(since).build(),
            new PodConditionBuilder().withType("Ready").withStatus(state == PodState.READY ? "True" : "False")
                .withLastTransitionTime(since).build())
        .withContainerStatuses(cs.build()).build();
    if (!Objects.equals(want, pod.getStatus())) {
      pod.setStatus(want);
      // the whole status (a patch would merge the condition lists)
      client.resource(pod).inNamespace(namespace).replaceStatus();
    }
  }

  private void writeStatus(GenericKubernetesResource lws, int leaders, int ready, int updated, int replicas) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("replicas", leaders);
    status.put("readyReplicas", ready);
    status.put("updatedReplicas", updated);
    status.put("observedGeneration", lws.getMetadata().getGeneration());
    boolean available = ready == replicas && updated == replicas;
    Map<String, Object> condition = new LinkedHashMap<>();
    condition.put("type", available ? "Available" : "Progressing");
    condition.put("status", "True");
    condition.put("reason", available ? "AllGroupsReady" : "GroupsProgressing");
    condition.put("lastTransitionTime", since);
    status.put("conditions", List.of(condition));
    if (Objects.equals(status, new LeaderWorkerSetResource(lws).status())) return;
    lws.getAdditionalProperties().put("status", status);
    client.genericKubernetesResources(LWS).inNamespace(namespace).resource(lws).replaceStatus();
  }

  /** Deletes StatefulSets whose controller is gone, and pods whose StatefulSet is gone, as Kubernetes' GC would. */
  private void collectGarbage() {
    for (StatefulSet s : client.apps().statefulSets().inNamespace(namespace).list().getItems()) {
      OwnerReference owner = controllerOf(s);
      if (owner == null) continue;
      boolean ownerGone = owner.getKind().equals("Pod")
          ? !uidMatches(client.pods().inNamespace(namespace).withName(owner.getName()).get(), owner.getUid())
          : !uidMatches(client.genericKubernetesResources(LWS).inNamespace(namespace)
              .withName(owner.getName()).get(), owner.getUid());
      if (ownerGone) client.resource(s).inNamespace(namespace).delete();
    }
    for (Pod p : client.pods().inNamespace(namespace).withLabel(OWNER_LABEL).list().getItems()) {
      OwnerReference owner = controllerOf(p);
      if (owner != null && !uidMatches(client.apps().statefulSets().inNamespace(namespace).withName(owner.getName())
          .get(), owner.getUid())) {
        client.resource(p).inNamespace(namespace).delete();
      }
    }
  }

  private static OwnerReference controllerOf(HasMetadata o) {
    if (o.getMetadata().getOwnerReferences() == null) return null;
    return o.getMetadata().getOwnerReferences().stream().filter(r -> Boolean.TRUE.equals(r.getController()))
        .findFirst().orElse(null);
  }

  private static boolean uidMatches(HasMetadata live, String uid) {
    return live != null && Objects.equals(live.getMetadata().getUid(), uid);
  }
}

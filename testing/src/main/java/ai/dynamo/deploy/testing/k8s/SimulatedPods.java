package ai.dynamo.deploy.testing.k8s;

import ai.dynamo.deploy.testing.k8s.SimulatedController.Behaviour;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * TEST-ONLY: the kubelet's and ReplicaSet/StatefulSet/Job controllers' part of {@link SimulatedController} for the
 * pods of one workload: creates the pods it wants, deletes those of other generations (or, with a scheduler, binds
 * them to nodes with room for their GPUs) and writes each pod's status for its {@link Behaviour}.
 */
final class SimulatedPods {
  /** The label that ties a simulated pod to its workload (the garbage collector's owner reference). */
  static final String OWNER_LABEL = "sim/owner";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final KubernetesClient client;
  private final String namespace;
  private final SimulatedScheduler scheduler;
  private final String since = Instant.now().toString();
  /** Leave the pods of a Deployment's older generations in place (as during a slow rolling update). */
  private volatile boolean keepOldPods;

  SimulatedPods(KubernetesClient client, String namespace, SimulatedScheduler scheduler) {
    this.client = client;
    this.namespace = namespace;
    this.scheduler = scheduler;
  }

  void keepOldPods(boolean keep) {
    this.keepOldPods = keep;
  }

  static String ownerKey(HasMetadata owner) {
    return owner.getKind() + "." + owner.getMetadata().getName();
  }

  /**
   * Creates the wanted pods, deletes pods of other generations, and sets each pod's status; returns how many of the
   * wanted pods are ready.
   */
  int sync(TickSnapshot seen, HasMetadata owner, PodTemplateSpec template, List<String> names, Behaviour b, int ready,
      Map<String, String> extraLabels) {
    if (scheduler.on()) return syncScheduled(seen, owner, template, names, b, ready, extraLabels);
    String ownerKey = ownerKey(owner);
    for (Pod p : seen.podsLabelled(OWNER_LABEL, ownerKey)) {
      boolean old = !names.contains(p.getMetadata().getName());
      if (old && !(keepOldPods && owner instanceof Deployment)) {
        client.resource(p).inNamespace(namespace).delete();
        seen.removePod(p.getMetadata().getName());
      }
    }
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      Pod pod = podOf(seen, ownerKey, template, name, extraLabels);
      PodStatus want = podStatus(template, b, i < ready);
      if (!Objects.equals(want, pod.getStatus())) {
        pod.setStatus(want);
        client.resource(pod).inNamespace(namespace).patchStatus();
      }
    }
    return Math.min(ready, names.size());
  }

  /** An Indexed Job's pods carry their completion index as an annotation, as the Job controller writes it. */
  void annotateCompletionIndexes(TickSnapshot seen, List<String> names, String annotation) {
    for (int i = 0; i < names.size(); i++) {
      Pod p = seen.pod(names.get(i));
      if (p != null && (p.getMetadata().getAnnotations() == null
          || !p.getMetadata().getAnnotations().containsKey(annotation))) {
        String index = Integer.toString(i);
        seen.put(client.pods().inNamespace(namespace).withName(names.get(i)).edit(pod -> {
          pod.getMetadata().getAnnotations().put(annotation, index);
          return pod;
        }));
      }
    }
  }

  /** The pod {@code name} of an owner, created from its template when it does not exist yet. */
  private Pod podOf(TickSnapshot seen, String ownerKey, PodTemplateSpec template, String name,
      Map<String, String> extraLabels) {
    Pod pod = seen.pod(name);
    if (pod != null) return pod;
    Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
    labels.putAll(extraLabels);
    labels.put(OWNER_LABEL, ownerKey);
    Pod created = client.resource(new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
        .withAnnotations(new LinkedHashMap<>()).endMetadata()
        .withSpec(SERIALIZATION.clone(template.getSpec())).build()).inNamespace(namespace).create();
    seen.put(created);
    return created;
  }

  /** {@link #sync} with a scheduler: pods bind to nodes with room for their GPUs, or stay Unschedulable. */
  private int syncScheduled(TickSnapshot seen, HasMetadata owner, PodTemplateSpec template, List<String> names,
      Behaviour b, int ready, Map<String, String> extraLabels) {
    String ownerKey = ownerKey(owner);
    boolean surge = owner instanceof Deployment d && d.getSpec().getStrategy() != null
        && "RollingUpdate".equals(d.getSpec().getStrategy().getType())
        && d.getSpec().getStrategy().getRollingUpdate() != null
        && d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable() != null
        && SimulatedScheduler.isZero(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable());
    boolean newReady = true;
    for (String name : names) {
      Pod p = seen.pod(name);
      newReady &= p != null && p.getStatus() != null && p.getStatus().getConditions() != null
          && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
    for (Pod p : seen.podsLabelled(OWNER_LABEL, ownerKey)) {
      if (names.contains(p.getMetadata().getName()) || surge && !newReady) continue;
      client.resource(p).inNamespace(namespace).delete();
      seen.removePod(p.getMetadata().getName());
      scheduler.event(p.getMetadata().getName(), "Killing", "Stopping container");
    }
    long perPod = SimulatedScheduler.gpus(template.getSpec());
    int readyNow = 0;
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      Pod pod = podOf(seen, ownerKey, template, name, extraLabels);
      if (pod.getSpec().getNodeName() == null) {
        String node = scheduler.fit(perPod);
        if (node == null) {
          scheduler.unschedulable(pod);
          continue;
        }
        pod = client.pods().inNamespace(namespace).withName(name).edit(x -> {
          x.getSpec().setNodeName(node);
          return x;
        });
        seen.put(pod);
        scheduler.event(name, "Scheduled", "Successfully assigned " + namespace + "/" + name + " to " + node);
      }
      PodStatus want = podStatus(template, b, i < ready);
      if (i < ready) readyNow++;
      if (!Objects.equals(want, pod.getStatus())) {
        pod.setStatus(want);
        client.resource(pod).inNamespace(namespace).patchStatus();
      }
    }
    return readyNow;
  }

  
  private PodStatus podStatus(PodTemplateSpec template, Behaviour b, boolean ready) {
    String container = template.getSpec().getContainers().get(0).getName();
    String image = template.getSpec().getContainers().get(0).getImage();
    ContainerStatusBuilder cs = new ContainerStatusBuilder().withName(container).withImage(image).withReady(ready)
        .withRestartCount(0);
    String phase = "Running";
    List<PodCondition> conditions = new ArrayList<>();
    conditions.add(condition("PodScheduled", "True", null, null));
    switch (b) {
      case CRASH_LOOP -> cs.withRestartCount(4)
          .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
          .withMessage("back-off 1m20s restarting failed container=" + container).endWaiting().endState()
          .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error").endTerminated().endLastState();
      case IMAGE_PULL_BACKOFF -> {
        phase = "Pending";
        cs.withNewState().withNewWaiting().withReason("ImagePullBackOff")
            .withMessage("Back-off pulling image \"" + image + "\"").endWaiting().endState();
      }
      case CONFIG_ERROR -> {
        phase = "Pending";
        cs.withNewState().withNewWaiting().withReason("CreateContainerConfigError")
            .withMessage("couldn't find key HF_TOKEN in Secret hf-token").endWaiting().endState();
      }
      case UNSCHEDULABLE -> {
        phase = "Pending";
        conditions.set(0, condition("PodScheduled", "False", "Unschedulable",
            "0/4 nodes are available: 4 Insufficient nvidia.com/gpu."));
        return new PodStatusBuilder().withPhase(phase).withConditions(conditions).build();
      }
      case PENDING -> {
        phase = "Pending";
        cs.withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState();
      }
      default -> {
        if (ready) cs.withNewState().withNewRunning().withStartedAt(since).endRunning().endState();
        else cs.withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState();
      }
    }
    conditions.add(condition("Ready", ready ? "True" : "False", null, null));
    List<ContainerStatus> statuses = List.of(cs.build());
    return new PodStatusBuilder().withPhase(phase).withConditions(conditions).withContainerStatuses(statuses).build();
  }

  private PodCondition condition(String type, String status, String reason, String message) {
    return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastTransitionTime(since).build();
  }
}

package ai.dynamo.deploy.render.k8s;

import static ai.dynamo.deploy.render.k8s.Yaml.map;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.InputKind;
import ai.dynamo.deploy.ir.Names;
import ai.dynamo.deploy.ir.Readiness;
import ai.dynamo.deploy.render.ComponentProcess;
import ai.dynamo.deploy.render.k8s.Labels.Role;
import ai.dynamo.deploy.render.k8s.PodTemplates.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes objects of one component, in apply order (Services before the workloads that use them):
 *
 * <ul>
 *   <li>single-node service: Service (when a port is known) + Deployment
 *   <li>batch: Job; multi-node batch: a headless Service and one Indexed Job per group
 *   <li>multi-node: headless Services for leaders and workers, a client Service when a {@code port} is known, the
 *       leader StatefulSet (one pod per group) and one worker StatefulSet per group
 *   <li>multi-node with {@code multinode=lws}: a client Service when a {@code port} is known and one LeaderWorkerSet
 *       ({@link LeaderWorkerSets})
 * </ul>
 *
 * Every pod template carries the pod settings ({@link PodSettings}).
 */
final class ComponentManifests {
  /**
   * Jobs: retries before the Job counts as failed. Two retries absorb a node or pull hiccup; more would mostly
   * re-run a model load that fails the same way each time.
   */
  static final int JOB_BACKOFF_LIMIT = 2;

  private final Component c;
  private final K8sNames names;
  private final String namespace;
  private final String digest;
  private final List<String> warnings;
  private final PodSettings pods;
  private final MultiNodeMode mode;

  ComponentManifests(Component c, K8sNames names, String namespace, String digest, List<String> warnings,
      PodSettings pods, MultiNodeMode mode) {
    this.c = c;
    this.names = names;
    this.namespace = namespace;
    this.digest = digest;
    this.warnings = warnings;
    this.pods = pods;
    this.mode = mode;
  }

  Component component() {
    return c;
  }

  K8sNames names() {
    return names;
  }

  PodSettings pods() {
    return pods;
  }

  List<Map<String, Object>> objects() {
    // The IR's Kubernetes checks refuse such graphs; a graph loaded for another target may still get here.
    if (Names.isPlaceholderImage(c.image())) {
      throw new IllegalArgumentException(
          "component \"" + c.name() + "\": Kubernetes needs a container image, got "
              + (c.image() == null ? "none" : "\"" + c.image() + "\""));
    }
    if (c.multiNode().isMultiNode()) {
      if (c.isBatch()) return multiNodeBatch();
      return mode == MultiNodeMode.LWS ? LeaderWorkerSets.objects(this) : multiNode();
    }
    return c.isBatch() ? List.of(job()) : singleNode();
  }

  Map<String, Object> metadata(String name, Role role, Integer group) {
    return map(
        "name", name,
        "namespace", namespace,
        "labels", Labels.all(names, role, group),
        "annotations", map(Labels.IR_DIGEST, digest));
  }

  private List<Map<String, Object>> singleNode() {
    Readiness readiness = ComponentProcess.readiness(c);
    List<Map<String, Object>> ports = PodTemplates.ports(c, readiness, null);
    Pod pod = new Pod(Role.SERVICE, null, List.of(), List.of(), readiness, ports, null, null);
    List<Map<String, Object>> objects = new ArrayList<>();
    Integer servicePort = ComponentProcess.port(c);
    if (servicePort == null && readiness.port() != null) servicePort = readiness.port();
    if (servicePort != null) objects.add(clientService(Role.SERVICE, servicePort));
    objects.add(
        map(
            "apiVersion", "apps/v1",
            "kind", "Deployment",
            "metadata", metadata(names.base(), Role.SERVICE, null),
            "spec",
                map(
                    "replicas", c.replicas(),
                    // how long a rollout may make no progress: longer than the startup window (StartupWindow)
                    "progressDeadlineSeconds", pods.startup().progressDeadlineSeconds(),
                    // no probe to say ready: a pod counts once it has stayed up this long (not at its first start)
                    "minReadySeconds", readiness.type() == Readiness.Type.RUNNING
                        ? readiness.runningSeconds() : null,
                    "selector", map("matchLabels", Labels.selector(names, Role.SERVICE)),
                    "template", PodTemplates.template(c, names, pod, pods))));
    return objects;
  }

  private Map<String, Object> job() {
    warnAboutBatch();
    Pod pod = new Pod(Role.BATCH, null, List.of(), List.of(), null, PodTemplates.ports(c, null, null), "Never", null);
    return map(
        "apiVersion", "batch/v1",
        "kind", "Job",
        "metadata", metadata(names.base(), Role.BATCH, null),
        "spec",
            map(
                "parallelism", c.replicas(),
                "completions", c.replicas(),
                "backoffLimit", JOB_BACKOFF_LIMIT,
                // The Job controller adds its own selector and labels; ours are on the template for listing.
                "template", PodTemplates.template(c, names, pod, pods)));
  }

  /**
   * Multi-node batch: one Indexed Job per group whose completion index is the node rank; all N pods start
   * together. A headless Service names each pod {@code <job>-<index>.<service>}, so index 0 is the leader's address.
   */
  private List<Map<String, Object>> multiNodeBatch() {
    warnAboutBatch();
    int numNodes = c.multiNode().numNodes();
    int leaderPort = ComponentProcess.leaderPort(c);
    String pinnedHost = pinnedLeaderHost();
    List<Map<String, Object>> ports = PodTemplates.ports(c, null, leaderPort);
    List<Map<String, Object>> objects = new ArrayList<>();
    objects.add(headlessService(names.batchGroups(), Role.BATCH, ports));
    for (int group = 0; group < c.replicas(); group++) {
      String jobName = names.batchGroup(group);
      String leaderAddr =
          (pinnedHost != null ? pinnedHost : names.podHost(jobName + "-0", names.batchGroups(), namespace))
              + ":" + leaderPort;
      Pod pod =
          new Pod(
              Role.BATCH,
              group,
              ComponentProcess.multiNodeArgs(numNodes, "$(" + PodTemplates.NODE_RANK_ENV + ")", leaderAddr),
              List.of(
                  PodTemplates.fieldEnv(
                      PodTemplates.NODE_RANK_ENV,
                      "metadata.annotations['" + PodTemplates.JOB_INDEX_ANNOTATION + "']")),
              null,
              ports,
              "Never",
              names.batchGroups());
      objects.add(
          map(
              "apiVersion", "batch/v1",
              "kind", "Job",
              "metadata", metadata(jobName, Role.BATCH, group),
              "spec",
                  map(
                      "completionMode", "Indexed",
                      "completions", numNodes,
                      "parallelism", numNodes,
                      "backoffLimit", JOB_BACKOFF_LIMIT,
                      "template", PodTemplates.template(c, names, pod, pods))));
    }
    return objects;
  }

  String pinnedLeaderHost() {
    String pinnedHost = ComponentProcess.pinnedLeaderHost(c);
    if (pinnedHost != null && c.replicas() > 1) {
      warnings.add(
          "component \"" + c.name() + "\": leader_addr pins the leader host " + pinnedHost + ", so all "
              + c.replicas() + " groups use that one address as written");
    }
    return pinnedHost == null ? null : DollarEscaping.escape(pinnedHost);
  }

  private void warnAboutBatch() {
    if (c.readiness() != null && c.readiness().type() != Readiness.Type.RUNNING) {
      warnings.add(
          "component \"" + c.name() + "\": the readiness check is ignored for a batch Job (a Job is done when it "
              + "succeeds)");
    }
    if (c.replicas() > 1) {
      warnings.add(
          "component \"" + c.name() + "\": replicas " + c.replicas() + " runs " + c.replicas()
              + (c.multiNode().isMultiNode() ? " groups" : " pods") + " in parallel, each over the whole batch input");
    }
  }

  private List<Map<String, Object>> multiNode() {
    int numNodes = c.multiNode().numNodes();
    int leaderPort = ComponentProcess.leaderPort(c);
    String pinnedHost = pinnedLeaderHost();
    Readiness leaderReadiness = ComponentProcess.readiness(c);
    Integer clientPort = ComponentProcess.port(c);

    List<Map<String, Object>> objects = new ArrayList<>();
    objects.add(headlessService(names.leader(), Role.LEADER, PodTemplates.ports(c, leaderReadiness, leaderPort)));
    objects.add(headlessService(names.workerService(), Role.WORKER, List.of()));
    if (clientPort != null) objects.add(clientService(Role.LEADER, clientPort));

    // The leader of group g is pod <leader>-g; it addresses itself by its own stable DNS name.
    String leaderAddr =
        (pinnedHost != null
                ? pinnedHost
                : names.podHost("$(" + PodTemplates.POD_NAME_ENV + ")", names.leader(), namespace))
            + ":" + leaderPort;
    Pod leader =
        new Pod(
            Role.LEADER,
            null,
            ComponentProcess.multiNodeArgs(numNodes, "$(" + PodTemplates.NODE_RANK_ENV + ")", leaderAddr),
            List.of(
                PodTemplates.fieldEnv(PodTemplates.POD_NAME_ENV, "metadata.name"),
                PodTemplates.literalEnv(PodTemplates.NODE_RANK_ENV, "0")),
            leaderReadiness,
            PodTemplates.ports(c, leaderReadiness, leaderPort),
            null,
            null);
    objects.add(statefulSet(names.leader(), Role.LEADER, null, c.replicas(), null, names.leader(), leader,
        leaderReadiness.type() == Readiness.Type.RUNNING ? leaderReadiness.runningSeconds() : null));
    // Workers have no probe: they count once they have stayed up as long as the running rule asks.
    int workersUp = leaderReadiness.type() == Readiness.Type.RUNNING ? leaderReadiness.runningSeconds()
        : ComponentProcess.RUNNING_READY_SECONDS;

    for (int group = 0; group < c.replicas(); group++) {
      String groupLeader =
          (pinnedHost != null ? pinnedHost : names.podHost(names.leader() + "-" + group, names.leader(), namespace))
              + ":" + leaderPort;
      Pod worker =
          new Pod(
              Role.WORKER,
              group,
              ComponentProcess.multiNodeArgs(numNodes, "$(" + PodTemplates.NODE_RANK_ENV + ")", groupLeader),
              List.of(
                  PodTemplates.fieldEnv(
                      PodTemplates.NODE_RANK_ENV, "metadata.labels['" + PodTemplates.POD_INDEX_LABEL + "']")),
              // Workers do not listen on the leader port: they are ready when running.
              null,
              List.of(),
              null,
              null);
      // Ordinals start at 1, so a worker's pod index is its node rank (the leader is rank 0).
      objects.add(
          statefulSet(names.workers(group), Role.WORKER, group, numNodes - 1, 1, names.workerService(), worker,
              workersUp));
    }
    return objects;
  }

  private Map<String, Object> statefulSet(
      String name, Role role, Integer group, int replicas, Integer firstOrdinal, String serviceName, Pod pod,
      Integer minReadySeconds) {
    Map<String, String> selector =
        group == null ? Labels.selector(names, role) : Labels.groupSelector(names, group);
    return map(
        "apiVersion", "apps/v1",
        "kind", "StatefulSet",
        "metadata", metadata(name, role, group),
        "spec",
            map(
                "replicas", replicas,
                "ordinals", firstOrdinal == null ? null : map("start", firstOrdinal),
                "serviceName", serviceName,
                // Parallel: the nodes of a group (and the leaders of different groups) do not depend on each
                // other's readiness; OrderedReady would start them one model load after another. The deploy
                // workflow enforces leader-before-workers by applying the worker StatefulSets later.
                "podManagementPolicy", "Parallel",
                "minReadySeconds", minReadySeconds,
                "selector", map("matchLabels", selector),
                "template", PodTemplates.template(c, names, pod, pods)));
  }

  Map<String, Object> clientService(Role role, int port) {
    String portName = c.inputKind() == InputKind.HTTP ? "http" : "port";
    return map(
        "apiVersion", "v1",
        "kind", "Service",
        "metadata", metadata(names.base(), role, null),
        "spec",
            map(
                "type", "ClusterIP",
                "selector", Labels.selector(names, role),
                "ports", List.of(map("name", portName, "port", port, "targetPort", port, "protocol", "TCP"))));
  }

  /**
   * A headless Service gives each StatefulSet pod a stable DNS name {@code <pod>.<service>.<namespace>.svc}. Not-
   * ready addresses are published because a leader's name must resolve before it is ready: the leader binds its
   * own name, and workers must reach it to form the group that makes it ready.
   */
  private Map<String, Object> headlessService(String name, Role role, List<Map<String, Object>> containerPorts) {
    List<Map<String, Object>> ports = new ArrayList<>();
    for (Map<String, Object> p : containerPorts) {
      ports.add(
          map("name", p.get("name"), "port", p.get("containerPort"), "targetPort", p.get("containerPort"),
              "protocol", "TCP"));
    }
    return map(
        "apiVersion", "v1",
        "kind", "Service",
        "metadata", metadata(name, role, null),
        "spec",
            map(
                "clusterIP", "None",
                "publishNotReadyAddresses", true,
                "selector", Labels.selector(names, role),
                "ports", ports));
  }
}

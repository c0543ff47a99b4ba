package ai.dynamo.deploy.render.k8s;

import static ai.dynamo.deploy.render.k8s.Yaml.map;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Readiness;
import ai.dynamo.deploy.render.ComponentProcess;
import ai.dynamo.deploy.render.k8s.Labels.Role;
import ai.dynamo.deploy.render.k8s.PodTemplates.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A multi-node service group as one LeaderWorkerSet ({@code leaderworkerset.x-k8s.io/v1}, kubernetes-sigs/lws):
 * {@code size} = num_nodes, {@code replicas} = groups, {@code startupPolicy: LeaderReady} (LWS creates a group's
 * workers once its leader is ready) and {@code restartPolicy: RecreateGroupOnPodRestart} (a failed pod restarts its
 * whole group, as a tensor-parallel engine needs). LWS runs the group: it names the pods, creates the headless
 * Service and injects {@code LWS_LEADER_ADDRESS}, {@code LWS_WORKER_INDEX} and {@code LWS_GROUP_SIZE} into every
 * container, from which the process gets its multi-node flags. fabric8 has no LWS model, so this is a plain map.
 */
public final class LeaderWorkerSets {
  private LeaderWorkerSets() {}

  /** The API the objects are written for: what the Kubernetes target discovers and watches. */
  public static final String API_VERSION = "leaderworkerset.x-k8s.io/v1";
  public static final String KIND = "LeaderWorkerSet";

  /** The variables the LWS webhook puts first into every container's env (a user entry of that name is dropped). */
  static final String LEADER_ADDRESS_ENV = "LWS_LEADER_ADDRESS";
  static final String WORKER_INDEX_ENV = "LWS_WORKER_INDEX";
  static final String GROUP_SIZE_ENV = "LWS_GROUP_SIZE";
  static final Set<String> INJECTED_ENV = Set.of(LEADER_ADDRESS_ENV, WORKER_INDEX_ENV, GROUP_SIZE_ENV);

  /** The client Service (when a port is known) and the LeaderWorkerSet, in apply order. */
  static List<Map<String, Object>> objects(ComponentManifests m) {
    Component c = m.component();
    for (EnvVar v : c.environment()) {
      if (INJECTED_ENV.contains(v.name())) {
        throw new IllegalArgumentException("component \"" + c.name() + "\": environment variable " + v.name()
            + " is set by LeaderWorkerSet on every pod of a group; use another name");
      }
    }
    int numNodes = c.multiNode().numNodes();
    int leaderPort = ComponentProcess.leaderPort(c);
    String pinnedHost = m.pinnedLeaderHost();
    Readiness leaderReadiness = ComponentProcess.readiness(c);
    Integer clientPort = ComponentProcess.port(c);

    // LWS_LEADER_ADDRESS is <lws>-<group>.<lws>.<namespace>: the leader's stable name through LWS's headless Service.
    String leaderAddr = (pinnedHost != null ? pinnedHost : "$(" + LEADER_ADDRESS_ENV + ")") + ":" + leaderPort;
    List<String> args = ComponentProcess.multiNodeArgs(
        "$(" + GROUP_SIZE_ENV + ")", "$(" + WORKER_INDEX_ENV + ")", leaderAddr);
    Pod leader = new Pod(Role.LEADER, null, args, List.of(), leaderReadiness,
        PodTemplates.ports(c, leaderReadiness, leaderPort), null, null);
    // Workers do not listen on the leader port: they are ready when running.
    Pod worker = new Pod(Role.WORKER, null, args, List.of(), null, List.of(), null, null);

    List<Map<String, Object>> objects = new ArrayList<>();
    if (clientPort != null) objects.add(m.clientService(Role.LEADER, clientPort));
    objects.add(
        map(
            "apiVersion", API_VERSION,
            "kind", KIND,
            "metadata", m.metadata(m.names().leaderWorkerSet(), Role.GROUP, null),
            "spec",
                map(
                    "replicas", c.replicas(),
                    "startupPolicy", "LeaderReady",
                    "leaderWorkerTemplate",
                        map(
                            "size", numNodes,
                            "restartPolicy", "RecreateGroupOnPodRestart",
                            "leaderTemplate", PodTemplates.template(c, m.names(), leader, m.pods()),
                            "workerTemplate", PodTemplates.template(c, m.names(), worker, m.pods())))));
    return objects;
  }
}

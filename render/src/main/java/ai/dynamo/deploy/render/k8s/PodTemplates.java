package ai.dynamo.deploy.render.k8s;

import static ai.dynamo.deploy.render.k8s.Yaml.map;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.InputKind;
import ai.dynamo.deploy.ir.Names;
import ai.dynamo.deploy.ir.Readiness;
import ai.dynamo.deploy.ir.Resources;
import ai.dynamo.deploy.render.ComponentProcess;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pod templates: one container per pod running the component's process. */
final class PodTemplates {
  private PodTemplates() {}

  static final String GPU_RESOURCE = "nvidia.com/gpu";

  /** Env var holding the node rank of a multi-node pod, used as {@code $(DYNAMO_NODE_RANK)} in args. */
  static final String NODE_RANK_ENV = "DYNAMO_NODE_RANK";
  /** Env var holding the pod's own name (leaders build their own stable DNS name from it). */
  static final String POD_NAME_ENV = "DYNAMO_POD_NAME";
  /** Label the StatefulSet controller puts on each pod with its ordinal (Kubernetes 1.28+). */
  static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

  /** Annotation the Job controller puts on each pod of an Indexed Job with its completion index. */
  static final String JOB_INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";

  /**
   * The readiness probe, once the startup probe has succeeded: three failed probes in a row take the pod out of its
   * Service. The startup probe holds the readiness probe off for the whole {@link StartupWindow}, so a slow model
   * load is not reported as unready churn, while a process that never opens its port is still caught.
   */
  static final int READINESS_FAILURE_THRESHOLD = 3;
  static final int PROBE_TIMEOUT_SECONDS = 5;

  /** What differs between the pods of one component. */
  record Pod(
      Labels.Role role,
      Integer group,
      List<String> extraArgs,
      List<Map<String, Object>> extraEnv,
      Readiness readiness,
      List<Map<String, Object>> ports,
      String restartPolicy,
      String subdomain) {}

  /** The pod template: our labels plus the user's pod labels (templates only, never selectors) and annotations. */
  static Map<String, Object> template(Component c, K8sNames names, Pod pod, PodSettings settings) {
    Map<String, Object> labels = new LinkedHashMap<>(Labels.all(names, pod.role(), pod.group()));
    labels.putAll(settings.podLabels());
    return map(
        "metadata", map("labels", labels, "annotations", new LinkedHashMap<>(settings.podAnnotations())),
        "spec", podSpec(c, names, pod, settings));
  }

  private static Map<String, Object> podSpec(Component c, K8sNames names, Pod pod, PodSettings settings) {
    boolean gpu = c.resources().gpu() > 0;
    return map(
        "restartPolicy", pod.restartPolicy(),
        // Indexed Job pods: DNS name <job>-<index>.<subdomain> through the headless Service of that name
        "subdomain", pod.subdomain(),
        "serviceAccountName", settings.serviceAccountName(),
        "priorityClassName", settings.priorityClassName(),
        "runtimeClassName", settings.runtimeClassName(),
        "schedulerName", settings.schedulerName(),
        // Service links inject <SERVICE>_PORT-style variables for every Service in the namespace; engines read
        // such names (vLLM reads VLLM_PORT), so the process should see only the environment the user wrote.
        "enableServiceLinks", false,
        "imagePullSecrets", settings.imagePullSecrets(),
        "nodeSelector", c.nodeSelector().isEmpty() ? null : new LinkedHashMap<>(c.nodeSelector()),
        // GPU nodes are usually tainted nvidia.com/gpu:NoSchedule; GPU pods tolerate that by default (a setting)
        "tolerations", settings.tolerations(gpu),
        "containers", List.of(container(c, names, pod, gpu, settings)),
        // GPU engines exchange tensors through /dev/shm (NCCL, PyTorch workers); the container default is 64 MiB.
        "volumes", gpu ? List.of(map("name", "dshm", "emptyDir", map("medium", "Memory"))) : null);
  }

  private static Map<String, Object> container(
      Component c, K8sNames names, Pod pod, boolean gpu, PodSettings settings) {
    List<String> argv = ComponentProcess.argv(c);
    List<String> command = new ArrayList<>();
    for (String word : argv.subList(0, c.cmd().size())) command.add(DollarEscaping.escape(word));
    List<String> args = new ArrayList<>();
    for (String word : argv.subList(c.cmd().size(), argv.size())) args.add(DollarEscaping.escape(word));
    args.addAll(pod.extraArgs()); // ours, containing $(VAR) references on purpose

    Map<String, Object> readiness = probe(pod.readiness(), READINESS_FAILURE_THRESHOLD);
    Map<String, Object> startup = probe(pod.readiness(), settings.startup().failureThreshold());
    boolean text = c.inputKind() == InputKind.TEXT;
    return map(
        "name", names.componentLabel(),
        "image", c.image(),
        "imagePullPolicy", pullPolicy(c.image()),
        "command", command,
        "args", args,
        "ports", pod.ports(),
        "env", env(c, pod.extraEnv()),
        "envFrom", envFrom(c),
        "resources", resources(c.resources()),
        "startupProbe", startup,
        "readinessProbe", readiness,
        "volumeMounts", gpu ? List.of(map("name", "dshm", "mountPath", "/dev/shm")) : null,
        // in=text is an interactive prompt: keep stdin open so `kubectl attach -it` reaches it
        "stdin", text ? true : null,
        "tty", text ? true : null);
  }

  /**
   * {@code IfNotPresent} for an image pinned by digest or by a tag other than {@code latest}: inference images are
   * tens of GB and a fixed reference does not change, so a node that has it should not pull it again. Otherwise
   * {@code Always}, as Kubernetes itself defaults, so a moving tag is really re-pulled.
   */
  static String pullPolicy(String image) {
    if (image.contains("@")) return "IfNotPresent";
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    boolean tagged = colon > slash;
    return tagged && !image.substring(colon + 1).equals("latest") ? "IfNotPresent" : "Always";
  }

  private static List<Map<String, Object>> env(Component c, List<Map<String, Object>> extraEnv) {
    List<Map<String, Object>> env = new ArrayList<>();
    for (EnvVar v : c.environment()) {
      // Two entries of one name would be refused by server-side apply (env is merged by name).
      if (extraEnv.stream().anyMatch(e -> e.get("name").equals(v.name()))) {
        throw new IllegalArgumentException(
            "component \"" + c.name() + "\": environment variable " + v.name()
                + " is set by the deployer on multi-node components; use another name");
      }
      if (v.isSecret()) {
        env.add(
            map(
                "name", v.name(),
                "valueFrom",
                    map("secretKeyRef", map("name", secretName(v.secretRef()), "key", v.secretRef()))));
      } else {
        env.add(map("name", v.name(), "value", DollarEscaping.escape(v.value())));
      }
    }
    env.addAll(extraEnv);
    return env;
  }

  private static List<Map<String, Object>> envFrom(Component c) {
    List<Map<String, Object>> envFrom = new ArrayList<>();
    for (String secret : c.secrets()) envFrom.add(map("secretRef", map("name", secretName(secret))));
    return envFrom;
  }

  /**
   * The Secret a reference maps to: {@code HF_TOKEN} is Secret {@code hf-token} (with key {@code HF_TOKEN} for a
   * {@code ${{ secrets.HF_TOKEN }}} reference); {@code my_secret_name} is Secret {@code my-secret-name}.
   */
  static String secretName(String reference) {
    String name = Names.dnsLabel(reference);
    if (name.isEmpty()) {
      throw new IllegalArgumentException(
          "secret \"" + reference + "\" has no character usable in a Kubernetes Secret name (a-z, 0-9)");
    }
    return name;
  }

  private static Map<String, Object> resources(Resources r) {
    Map<String, Object> requests = map("cpu", r.cpu(), "memory", r.memory());
    Map<String, Object> limits =
        map("cpu", r.cpu(), "memory", r.memory(), GPU_RESOURCE, r.gpu() > 0 ? Integer.toString(r.gpu()) : null);
    return map("requests", requests, "limits", limits);
  }

  private static Map<String, Object> probe(Readiness readiness, int failureThreshold) {
    if (readiness == null || readiness.type() == Readiness.Type.RUNNING) return null;
    Map<String, Object> handler =
        readiness.type() == Readiness.Type.HTTP
            ? map(
                "httpGet",
                map("path", readiness.path() == null ? "/" : readiness.path(), "port", readiness.port()))
            : map("tcpSocket", map("port", readiness.port()));
    Map<String, Object> probe = new LinkedHashMap<>(handler);
    probe.put("periodSeconds", StartupWindow.PROBE_PERIOD_SECONDS);
    probe.put("timeoutSeconds", PROBE_TIMEOUT_SECONDS);
    probe.put("failureThreshold", failureThreshold);
    return probe;
  }

  /** Container ports: the {@code port} parameter, the leader port and the readiness port, each once. */
  static List<Map<String, Object>> ports(Component c, Readiness readiness, Integer leaderPort) {
    Map<Integer, String> byNumber = new LinkedHashMap<>();
    Integer port = ComponentProcess.port(c);
    if (port != null) byNumber.put(port, c.inputKind() == InputKind.HTTP ? "http" : "port");
    if (leaderPort != null) byNumber.putIfAbsent(leaderPort, "leader");
    if (readiness != null && readiness.port() != null) byNumber.putIfAbsent(readiness.port(), "ready");
    List<Map<String, Object>> ports = new ArrayList<>();
    byNumber.forEach((number, name) -> ports.add(map("name", name, "containerPort", number, "protocol", "TCP")));
    return ports;
  }

  static Map<String, Object> fieldEnv(String name, String fieldPath) {
    return map("name", name, "valueFrom", map("fieldRef", map("fieldPath", fieldPath)));
  }

  static Map<String, Object> literalEnv(String name, String value) {
    return map("name", name, "value", value);
  }
}

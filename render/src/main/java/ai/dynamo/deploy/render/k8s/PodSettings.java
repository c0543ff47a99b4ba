package ai.dynamo.deploy.render.k8s;

import static ai.dynamo.deploy.render.k8s.Yaml.map;

import ai.dynamo.deploy.ir.TargetSettingKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The pod-level target settings of the Kubernetes target (docs/kubernetes-render.md, "Pod settings"): what a cluster
 * needs on every pod and the graph does not hold. List settings hold one entry per line, as the flags and profile
 * lists give them. Every value is checked here, once, for the CLI (exit 2), the worker's validate step and the
 * renderer.
 */
public final class PodSettings {
  /** What {@link TargetSettingKeys#K8S_GPU_TOLERATIONS} is when not set: GPU nodes are commonly tainted so. */
  public static final String DEFAULT_GPU_TOLERATION = "nvidia.com/gpu:NoSchedule";

  /** The value that states "no tolerations" (for {@link TargetSettingKeys#K8S_GPU_TOLERATIONS}: no default either). */
  public static final String NONE = "none";

  static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");

  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern NAME_PART = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  /** Label keys the renderer or the Kubernetes controllers set on pods; a user label of that key is refused. */
  private static final Set<String> RESERVED_LABELS = Set.of(Labels.NAME, Labels.INSTANCE, Labels.ROLE, Labels.PART_OF,
      Labels.MANAGED_BY, "pod-template-hash", "controller-revision-hash", "job-name",
      "statefulset.kubernetes.io/pod-name");
  /** Key prefixes of labels and annotations that the deployer, LeaderWorkerSet or the workload controllers write. */
  private static final List<String> RESERVED_PREFIXES = List.of(Labels.PREFIX, "leaderworkerset.sigs.k8s.io/",
      "apps.kubernetes.io/", "batch.kubernetes.io/");

  /** The single-valued keys, each a DNS subdomain name of an object in or of the cluster. */
  private static final List<String> NAMES = List.of(TargetSettingKeys.K8S_SERVICE_ACCOUNT,
      TargetSettingKeys.K8S_PRIORITY_CLASS, TargetSettingKeys.K8S_RUNTIME_CLASS, TargetSettingKeys.K8S_SCHEDULER);

  /** Every key this class reads. */
  public static final List<String> KEYS = List.of(TargetSettingKeys.K8S_TOLERATIONS,
      TargetSettingKeys.K8S_GPU_TOLERATIONS, TargetSettingKeys.K8S_IMAGE_PULL_SECRETS,
      TargetSettingKeys.K8S_SERVICE_ACCOUNT, TargetSettingKeys.K8S_PRIORITY_CLASS, TargetSettingKeys.K8S_RUNTIME_CLASS,
      TargetSettingKeys.K8S_SCHEDULER, TargetSettingKeys.K8S_POD_LABELS, TargetSettingKeys.K8S_POD_ANNOTATIONS);

  private final Map<String, String> settings;

  private PodSettings(Map<String, String> settings) {
    this.settings = settings;
  }

  /**
   * The pod settings of a target's settings.
   *
   * @throws IllegalArgumentException naming the first invalid setting
   */
  public static PodSettings of(Map<String, String> settings) {
    List<String> problems = problems(settings);
    if (!problems.isEmpty()) throw new IllegalArgumentException(problems.get(0));
    StartupWindow.of(settings); // refuses a bad window before anything renders
    return new PodSettings(settings);
  }

  /** Every problem with the pod settings, each as {@code setting KEY: message}. */
  public static List<String> problems(Map<String, String> settings) {
    List<String> problems = new ArrayList<>();
    for (String key : KEYS) {
      String value = settings.get(key);
      if (value == null) continue;
      String problem = problem(key, value);
      if (problem != null) problems.add("setting " + key + ": " + problem);
    }
    return problems;
  }

  /**
   * What is wrong with one value of a pod setting, or null when it is fine (or {@code key} is not a pod setting).
   * The message quotes the offending entry and says what is expected.
   */
  public static String problem(String key, String value) {
    if (key.equals(TargetSettingKeys.K8S_TOLERATIONS) || key.equals(TargetSettingKeys.K8S_GPU_TOLERATIONS)) {
      return tolerationsProblem(value);
    }
    if (key.equals(TargetSettingKeys.K8S_IMAGE_PULL_SECRETS)) return namesProblem(value, "Secret");
    if (NAMES.contains(key)) {
      return DNS_SUBDOMAIN.matcher(value).matches() && value.length() <= 253 ? null
          : "\"" + value + "\" is not a Kubernetes object name (lower-case letters, digits, '-' and '.', starting and "
              + "ending with a letter or digit, at most 253)";
    }
    if (key.equals(TargetSettingKeys.K8S_POD_LABELS)) return pairsProblem(value, true);
    if (key.equals(TargetSettingKeys.K8S_POD_ANNOTATIONS)) return pairsProblem(value, false);
    return null;
  }

  // ---- what the renderer writes ---------------------------------------------------------------------------------

  /** Tolerations of a pod: {@code tolerations}, then the GPU tolerations when the pod requests GPUs. */
  List<Map<String, Object>> tolerations(boolean requestsGpus) {
    Set<String> entries = new LinkedHashSet<>(lines(settings.get(TargetSettingKeys.K8S_TOLERATIONS)));
    if (requestsGpus) {
      String gpu = settings.get(TargetSettingKeys.K8S_GPU_TOLERATIONS);
      entries.addAll(lines(gpu == null || gpu.isBlank() ? DEFAULT_GPU_TOLERATION : gpu));
    }
    entries.remove(NONE);
    List<Map<String, Object>> out = new ArrayList<>();
    for (String entry : entries) out.add(toleration(entry));
    return out;
  }

  List<Map<String, Object>> imagePullSecrets() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String name : lines(settings.get(TargetSettingKeys.K8S_IMAGE_PULL_SECRETS))) out.add(map("name", name));
    return out;
  }

  String serviceAccountName() {
    return blankToNull(settings.get(TargetSettingKeys.K8S_SERVICE_ACCOUNT));
  }

  String priorityClassName() {
    return blankToNull(settings.get(TargetSettingKeys.K8S_PRIORITY_CLASS));
  }

  String runtimeClassName() {
    return blankToNull(settings.get(TargetSettingKeys.K8S_RUNTIME_CLASS));
  }

  String schedulerName() {
    return blankToNull(settings.get(TargetSettingKeys.K8S_SCHEDULER));
  }

  /** How long a pod may take to start ({@link StartupWindow}). */
  StartupWindow startup() {
    return StartupWindow.of(settings);
  }

  Map<String, String> podLabels() {
    return pairs(settings.get(TargetSettingKeys.K8S_POD_LABELS));
  }

  Map<String, String> podAnnotations() {
    return pairs(settings.get(TargetSettingKeys.K8S_POD_ANNOTATIONS));
  }

  // ---- parsing and checks -------------------------------------------------------------------------------------

  /** The entries of a list setting: one per line, blank lines ignored. */
  public static List<String> lines(String value) {
    List<String> out = new ArrayList<>();
    if (value == null) return out;
    for (String line : value.split("\n")) {
      if (!line.isBlank()) out.add(line.strip());
    }
    return out;
  }

  /**
   * {@code KEY[=VALUE][:EFFECT]}, the syntax of {@code kubectl taint}: with a value the toleration matches that value
   * ({@code Equal}), without one any value ({@code Exists}); without an effect it tolerates every effect.
   */
  static Map<String, Object> toleration(String entry) {
    int colon = entry.indexOf(':');
    String keyValue = colon < 0 ? entry : entry.substring(0, colon);
    String effect = colon < 0 ? null : entry.substring(colon + 1);
    int eq = keyValue.indexOf('=');
    String key = eq < 0 ? keyValue : keyValue.substring(0, eq);
    String value = eq < 0 ? null : keyValue.substring(eq + 1);
    return map("key", key, "operator", value == null ? "Exists" : "Equal", "value", value, "effect", effect);
  }

  private static String tolerationsProblem(String value) {
    List<String> entries = lines(value);
    if (entries.isEmpty()) return "empty (write " + NONE + " for no tolerations)";
    if (entries.contains(NONE)) {
      return entries.size() == 1 ? null : "\"" + NONE + "\" cannot be combined with other tolerations";
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String entry : entries) {
      if (!seen.add(entry)) return "toleration \"" + entry + "\" is given twice";
      String problem = tolerationProblem(entry);
      if (problem != null) return "toleration \"" + entry + "\": " + problem;
    }
    return null;
  }

  private static String tolerationProblem(String entry) {
    int colon = entry.indexOf(':');
    String keyValue = colon < 0 ? entry : entry.substring(0, colon);
    if (colon >= 0) {
      String effect = entry.substring(colon + 1);
      if (!EFFECTS.contains(effect)) {
        return "the effect must be NoSchedule, PreferNoSchedule or NoExecute, not \"" + effect
            + "\" (syntax KEY[=VALUE][:EFFECT], as in kubectl taint)";
      }
    }
    int eq = keyValue.indexOf('=');
    String key = eq < 0 ? keyValue : keyValue.substring(0, eq);
    String problem = qualifiedNameProblem(key);
    if (problem != null) return "key " + problem + " (syntax KEY[=VALUE][:EFFECT], as in kubectl taint)";
    if (eq >= 0) {
      String value = keyValue.substring(eq + 1);
      if (value.isEmpty()) return "empty value (write KEY:EFFECT to tolerate any value)";
      if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
        return "value \"" + value + "\" is not a taint value (letters, digits, '-', '_' and '.', at most 63)";
      }
    }
    return null;
  }

  private static String namesProblem(String value, String what) {
    List<String> names = lines(value);
    if (names.isEmpty()) return "empty";
    Set<String> seen = new LinkedHashSet<>();
    for (String name : names) {
      if (!seen.add(name)) return what + " \"" + name + "\" is given twice";
      if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
        return "\"" + name + "\" is not a " + what + " name (lower-case letters, digits, '-' and '.', starting and "
            + "ending with a letter or digit)";
      }
    }
    return null;
  }

  private static String pairsProblem(String value, boolean label) {
    String what = label ? "label" : "annotation";
    List<String> entries = lines(value);
    if (entries.isEmpty()) return "empty";
    Set<String> keys = new LinkedHashSet<>();
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      if (eq < 0) return "\"" + entry + "\" is not KEY=VALUE";
      String key = entry.substring(0, eq);
      String v = entry.substring(eq + 1);
      String problem = qualifiedNameProblem(key);
      if (problem != null) return what + " key " + problem;
      if (!keys.add(key)) return what + " " + key + " is given twice";
      if (RESERVED_LABELS.contains(key) || RESERVED_PREFIXES.stream().anyMatch(key::startsWith)) {
        return what + " " + key + " is set by dynamo-deploy or a Kubernetes controller; choose another key";
      }
      if (label && (v.length() > 63 || !LABEL_VALUE.matcher(v).matches())) {
        return "label " + key + ": value \"" + v + "\" is not a label value (letters, digits, '-', '_' and '.', "
            + "starting and ending with a letter or digit, at most 63)";
      }
    }
    return null;
  }

  /** A label, annotation or taint key: {@code [prefix/]name}, prefix a DNS subdomain, name at most 63. */
  private static String qualifiedNameProblem(String key) {
    int slash = key.lastIndexOf('/');
    String prefix = slash < 0 ? null : key.substring(0, slash);
    String name = slash < 0 ? key : key.substring(slash + 1);
    boolean ok = !name.isEmpty() && name.length() <= 63 && NAME_PART.matcher(name).matches()
        && (prefix == null || (prefix.length() <= 253 && DNS_SUBDOMAIN.matcher(prefix).matches()));
    return ok ? null : "\"" + key + "\" is not a Kubernetes key ([prefix/]name: name of letters, digits, '-', '_' and "
        + "'.', at most 63; prefix a DNS subdomain)";
  }

  private static Map<String, String> pairs(String value) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String entry : lines(value)) {
      int eq = entry.indexOf('=');
      out.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
    return out;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}

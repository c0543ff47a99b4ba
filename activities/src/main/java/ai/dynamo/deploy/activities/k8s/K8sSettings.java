package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.render.k8s.K8sRenderer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Settings of the Kubernetes target beyond the render settings ({@link TargetSettingKeys#K8S_NAMESPACE},
 * {@link TargetSettingKeys#K8S_CONTEXT}). Values are strings in the request's target settings.
 */
final class K8sSettings {
  private K8sSettings() {}

  /** {@code true}: create the namespace when it does not exist (like {@code helm --create-namespace}). */
  static final String CREATE_NAMESPACE = TargetSettingKeys.K8S_CREATE_NAMESPACE;
  /** {@code true}: server-side apply takes over fields other managers own (like {@code kubectl --force-conflicts}). */
  static final String FORCE_CONFLICTS = TargetSettingKeys.K8S_FORCE_CONFLICTS;
  /** How long a pod may stay Unschedulable before the wait fails; seconds, default 300. */
  static final String UNSCHEDULABLE_GRACE_SECONDS = TargetSettingKeys.K8S_UNSCHEDULABLE_GRACE_SECONDS;

  static final Duration DEFAULT_UNSCHEDULABLE_GRACE = Duration.ofMinutes(5);
  static final Set<String> BOOLEANS = Set.of(CREATE_NAMESPACE, FORCE_CONFLICTS);

  static String namespace(DeployContext ctx) {
    return ctx.setting(TargetSettingKeys.K8S_NAMESPACE, K8sRenderer.DEFAULT_NAMESPACE);
  }

  static String context(DeployContext ctx) {
    return ctx.setting(TargetSettingKeys.K8S_CONTEXT, null);
  }

  static boolean createNamespace(DeployContext ctx) {
    return Boolean.parseBoolean(ctx.setting(CREATE_NAMESPACE, "false"));
  }

  static boolean forceConflicts(DeployContext ctx) {
    return Boolean.parseBoolean(ctx.setting(FORCE_CONFLICTS, "false"));
  }

  static Duration unschedulableGrace(DeployContext ctx) {
    String value = ctx.setting(UNSCHEDULABLE_GRACE_SECONDS, null);
    return value == null ? DEFAULT_UNSCHEDULABLE_GRACE : Duration.ofSeconds(Long.parseLong(value));
  }

  /** Problems with the values of our settings and the render settings (namespace, multinode, pod settings). */
  static List<String> problems(DeployContext ctx) {
    List<String> problems = new ArrayList<>();
    for (String key : BOOLEANS) {
      String value = ctx.settings().get(key);
      if (value != null && !value.equals("true") && !value.equals("false")) {
        problems.add("setting " + key + " must be true or false, not \"" + value + "\"");
      }
    }
    problems.addAll(K8sRenderer.settingProblems(ctx.settings()));
    String grace = ctx.settings().get(UNSCHEDULABLE_GRACE_SECONDS);
    if (grace != null && !grace.matches("[0-9]{1,9}")) {
      problems.add("setting " + UNSCHEDULABLE_GRACE_SECONDS + " must be a whole number of seconds, not \"" + grace + "\"");
    }
    return problems;
  }
}

package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.TargetFailure;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns API errors into {@link TargetFailure}s: what retrying cannot fix (401, 403, 422, apply conflicts, quota)
 * fails at once with the message the user needs; everything else (5xx, 429, resource-version 409s, lost
 * connections) is transient and retried by the activity's policy.
 */
final class KubeErrors {
  private KubeErrors() {}

  static final String FIELD_MANAGER_CONFLICT = "FieldManagerConflict";

  static TargetFailure translate(KubernetesClientException e, String doing) {
    int code = e.getCode();
    String detail = message(e);
    return switch (code) {
      case 401 -> TargetFailure.authenticationRefused(
          doing + ": the Kubernetes API refused our credentials (401): " + detail
              + "; check the kubeconfig context and its token or certificate");
      case 403 -> detail.toLowerCase(Locale.ROOT).contains("exceeded quota")
          ? TargetFailure.quotaExceeded(doing + ": " + detail)
          : TargetFailure.preflightFailed(doing + ": forbidden (403): " + detail);
      case 400, 422 -> TargetFailure.invalidIr(doing + ": the API server rejected the object (" + code + "): " + detail);
      case 409 -> {
        List<String> conflicts = fieldConflicts(e.getStatus());
        yield conflicts.isEmpty()
            ? TargetFailure.transientFailure(doing + ": conflict (409), retrying: " + detail, e)
            : TargetFailure.applyConflict(
                doing + ": fields owned by another field manager: " + String.join("; ", conflicts)
                    + " (set " + K8sSettings.FORCE_CONFLICTS + "=true to take them over)");
      }
      default -> TargetFailure.transientFailure(
          doing + ": " + (code <= 0 ? "cannot reach the Kubernetes API: " : "API error " + code + ": ") + detail, e);
    };
  }

  /** "field .spec.replicas is owned by kubectl-scale" for each FieldManagerConflict cause. */
  static List<String> fieldConflicts(Status status) {
    List<String> out = new ArrayList<>();
    if (status == null || status.getDetails() == null || status.getDetails().getCauses() == null) return out;
    for (StatusCause cause : status.getDetails().getCauses()) {
      if (!FIELD_MANAGER_CONFLICT.equals(cause.getReason())) continue;
      out.add("field " + cause.getField() + " (" + cause.getMessage() + ")");
    }
    return out;
  }

  // Not client's Causes: the API server's Status says it best, and fabric8's own message ("Operation: [...]
  // failed.") says less than its direct cause; this module does not depend on client either.
  private static String message(KubernetesClientException e) {
    Status status = e.getStatus();
    if (status != null && status.getMessage() != null && !status.getMessage().isBlank()) return status.getMessage();
    if (e.getCause() != null && e.getCause().getMessage() != null) return e.getCause().getMessage();
    return String.valueOf(e.getMessage());
  }
}

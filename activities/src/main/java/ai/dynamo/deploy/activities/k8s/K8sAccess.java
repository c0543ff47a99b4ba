package ai.dynamo.deploy.activities.k8s;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Every API permission the Kubernetes target uses, in one table: preflight checks each with a
 * SelfSubjectAccessReview, and {@code deploy/kubernetes/} grants exactly these to the in-cluster worker (a test keeps
 * the two equal, and another that the target's own requests need nothing more). The one permission not listed is
 * creating SelfSubjectAccessReviews, which every authenticated user has (the {@code system:basic-user} role) and
 * which preflight uses to check the rest. Creating a namespace ({@code createNamespace=true}) is not granted either:
 * it is an administrator's decision (docs/kubernetes-target.md).
 */
final class K8sAccess {
  private K8sAccess() {}

  /** What a denial means. */
  enum Need {
    /** the deploy cannot work without it: preflight fails */
    REQUIRED,
    /** needed when the cluster serves LeaderWorkerSet (prune and rollback must see such objects): then required */
    LWS,
    /** only for a check preflight makes on the user's behalf: a denial is a warning saying what was not checked */
    ADVISORY
  }

  /**
   * @param group API group ({@code ""} for the core group)
   * @param namespaced whether the resource lives in the target namespace (else cluster-wide)
   * @param why what the target does with it
   */
  record Rule(String group, String resource, List<String> verbs, boolean namespaced, Need need, String why) {
    String describe(String verb) {
      return verb + " " + (group.isEmpty() ? "" : group + "/") + resource;
    }
  }

  /** A non-resource URL (discovery) and its verb. */
  record NonResourceRule(String path, String verb, String why) {}

  static final List<String> WRITE_AND_WATCH = List.of("get", "list", "watch", "create", "patch", "delete");

  static final List<Rule> RULES = List.of(
      new Rule("", "services", List.of("get", "list", "create", "patch", "delete"), true, Need.REQUIRED,
          "apply (server-side apply creates or patches), isCurrent and preflight read, prune and rollback"),
      new Rule("apps", "deployments", WRITE_AND_WATCH, true, Need.REQUIRED, "apply, readiness informers, prune"),
      new Rule("apps", "statefulsets", WRITE_AND_WATCH, true, Need.REQUIRED, "apply, readiness informers, prune"),
      new Rule("batch", "jobs", WRITE_AND_WATCH, true, Need.REQUIRED, "apply (a changed Job is replaced), readiness"),
      new Rule(LeaderWorkerSetApi.GROUP, LeaderWorkerSetApi.PLURAL, WRITE_AND_WATCH, true, Need.LWS,
          "multi-node groups with multinode=lws; prune and rollback list them whenever the cluster serves the API"),
      new Rule("", "pods", List.of("list", "watch"), true, Need.REQUIRED, "readiness informer (pod failures)"),
      new Rule("apps", "replicasets", List.of("list", "watch"), true, Need.REQUIRED,
          "readiness informer (a Deployment's current pods)"),
      new Rule("", "secrets", List.of("get", "list", "create", "patch", "delete"), true, Need.REQUIRED,
          "revision records (uninstall deletes them); preflight reads the key names and type of referenced Secrets"),
      new Rule("", "serviceaccounts", List.of("get"), true, Need.ADVISORY, "preflight: serviceAccountName exists"),
      new Rule("", "namespaces", List.of("get"), false, Need.ADVISORY, "preflight: the namespace exists"),
      new Rule("", "nodes", List.of("list"), false, Need.ADVISORY,
          "preflight: allocatable GPUs (a warning); the auto strategy: free GPUs of the matching nodes"),
      new Rule("", "pods", List.of("list"), false, Need.ADVISORY,
          "the auto strategy: GPUs the pods bound to the matching nodes request, in every namespace (denied: recreate)"),
      new Rule("scheduling.k8s.io", "priorityclasses", List.of("get"), false, Need.ADVISORY,
          "preflight: priorityClassName exists"),
      new Rule("node.k8s.io", "runtimeclasses", List.of("get"), false, Need.ADVISORY,
          "preflight: runtimeClassName exists"));

  static final List<NonResourceRule> NON_RESOURCE_RULES = List.of(
      new NonResourceRule("/apis/" + LeaderWorkerSetApi.API_VERSION, "get",
          "discovery: whether the cluster serves LeaderWorkerSet"));

  /** The outcome of reviewing the table: denials that fail the deploy, and what could not be checked. */
  record Review(List<String> denied, List<String> unchecked) {}

  /**
   * Reviews every rule (the LWS ones only when the cluster serves the API) in {@code namespace}; the reviews are
   * independent, so they go out in parallel ({@link ParallelCalls}).
   */
  static Review review(KubernetesClient client, String namespace, boolean lwsServed) {
    List<SelfSubjectAccessReview> reviews = new ArrayList<>();
    List<String> described = new ArrayList<>();
    List<Boolean> advisory = new ArrayList<>();
    for (NonResourceRule r : NON_RESOURCE_RULES) {
      reviews.add(new SelfSubjectAccessReviewBuilder().withNewSpec()
          .withNewNonResourceAttributes().withPath(r.path()).withVerb(r.verb()).endNonResourceAttributes()
          .endSpec().build());
      described.add(r.verb() + " " + r.path());
      advisory.add(false);
    }
    for (Rule rule : RULES) {
      if (rule.need() == Need.LWS && !lwsServed) continue;
      for (String verb : rule.verbs()) {
        reviews.add(new SelfSubjectAccessReviewBuilder().withNewSpec()
            .withNewResourceAttributes()
            .withNamespace(rule.namespaced() ? namespace : null)
            .withGroup(rule.group())
            .withResource(rule.resource())
            .withVerb(verb)
            .endResourceAttributes()
            .endSpec()
            .build());
        described.add(rule.describe(verb));
        advisory.add(rule.need() == Need.ADVISORY);
      }
    }
    List<Boolean> allowed = ParallelCalls.map(reviews, review -> allowed(client, review));
    List<String> denied = new ArrayList<>();
    List<String> unchecked = new ArrayList<>();
    for (int i = 0; i < reviews.size(); i++) {
      if (!allowed.get(i)) (advisory.get(i) ? unchecked : denied).add(described.get(i));
    }
    return new Review(denied, unchecked);
  }

  private static boolean allowed(KubernetesClient client, SelfSubjectAccessReview review) {
    SelfSubjectAccessReview answer = client.authorization().v1().selfSubjectAccessReview().create(review);
    return answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
  }
}

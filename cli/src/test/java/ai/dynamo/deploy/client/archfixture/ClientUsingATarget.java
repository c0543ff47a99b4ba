package ai.dynamo.deploy.client.archfixture;

import ai.dynamo.deploy.activities.k8s.K8sTarget;

/**
 * Deliberately bad client code (test scope only): the client reaching down into a target, which only workers reach.
 * {@code ArchitectureTest} must reject it.
 */
public final class ClientUsingATarget {
  String kind() {
    return new K8sTarget().kind();
  }
}

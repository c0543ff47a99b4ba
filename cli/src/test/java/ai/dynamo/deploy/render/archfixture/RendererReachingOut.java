package ai.dynamo.deploy.render.archfixture;

import com.hierynomus.sshj.key.KeyAlgorithms;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.workflow.Workflow;
import java.io.IOException;
import java.net.Socket;

/**
 * Deliberately bad render code (test scope only): Temporal, fabric8, sshj and the network, which a pure renderer must
 * never reach. {@code ArchitectureTest} must reject it.
 */
public final class RendererReachingOut {
  long temporal() {
    return Workflow.currentTimeMillis();
  }

  String kubernetes(KubernetesClient client) {
    return client.getMasterUrl().toString();
  }

  Object ssh() {
    return KeyAlgorithms.SSHRSA();
  }

  void network() throws IOException {
    new Socket("127.0.0.1", 7233).close();
  }
}

package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Graph;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the worker finds the values of the secrets a graph references. Values go from here straight into 0600
 * files on the cluster over SFTP; they are never logged, put in a command line, an exception or Temporal history.
 */
public interface SecretSource {

  /** The value of {@code ${{ secrets.NAME }}}, or empty when the source does not have it. */
  Optional<byte[]> value(String name) throws IOException;

  /** The keys and values of a whole secret ({@code secrets: [name]}), or empty when the source does not have it. */
  Optional<Map<String, byte[]>> whole(String name) throws IOException;

  /** The names of the secrets {@code graph} references that this source does not have, in graph order. */
  default List<String> missing(Graph graph) throws IOException {
    List<String> missing = new ArrayList<>();
    for (Component c : graph.components()) {
      for (EnvVar e : c.environment()) {
        if (e.isSecret() && value(e.secretRef()).isEmpty() && !missing.contains(e.secretRef())) {
          missing.add(e.secretRef());
        }
      }
      for (String w : c.secrets()) {
        if (whole(w).isEmpty() && !missing.contains(w)) missing.add(w);
      }
    }
    return missing;
  }
}

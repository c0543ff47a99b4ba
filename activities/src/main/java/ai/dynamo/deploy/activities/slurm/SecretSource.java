package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
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
}

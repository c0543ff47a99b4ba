package ai.dynamo.deploy.activities.slurm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Reads and writes {@code state.json} in the graph's remote directory; writes are atomic (written beside, renamed). */
public final class DeployStateStore {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final RemoteShell shell;
  private final RemoteLayout layout;

  public DeployStateStore(RemoteShell shell, RemoteLayout layout) {
    this.shell = shell;
    this.layout = layout;
  }

  /** Builds the JSON mapping of the state both ways, as a worker's first deploy would ({@link SlurmTarget#warmUp}). */
  static void warmUp() throws IOException {
    JSON.readValue(JSON.writeValueAsString(DeployState.empty("warm-up")), DeployState.class);
  }

  public DeployState read(String graph) throws IOException {
    Optional<String> text = shell.readFile(layout.stateFile());
    if (text.isEmpty() || text.get().isBlank()) return DeployState.empty(graph);
    try {
      return JSON.readValue(text.get(), DeployState.class);
    } catch (IOException e) {
      throw new SlurmError(SlurmError.Kind.INVALID_SETTING,
          layout.stateFile() + " on the cluster is not valid JSON (" + e.getMessage() + "); fix or move it");
    }
  }

  public void write(DeployState state) throws IOException {
    shell.mkdirs(layout.graphDir(), 0700);
    byte[] bytes = (JSON.writeValueAsString(state) + "\n").getBytes(StandardCharsets.UTF_8);
    shell.writeFile(layout.stateFile(), bytes, 0600);
  }
}

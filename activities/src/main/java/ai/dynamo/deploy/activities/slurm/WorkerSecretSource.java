package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The worker's secrets, from two places (the environment wins):
 *
 * <ul>
 *   <li>environment variable {@code DYNAMO_SECRET_<NAME>} for {@code ${{ secrets.NAME }}}, with NAME upper-cased
 *       and every character outside {@code [A-Z0-9_]} replaced by {@code _} ({@code hf-token} ->
 *       {@code DYNAMO_SECRET_HF_TOKEN});
 *   <li>the directory named by {@code DYNAMO_WORKER_SECRETS_DIR}, in the same layout as on the cluster: a file
 *       {@code NAME} per single secret, a directory {@code name/} with one file per key for a whole secret.
 * </ul>
 */
public final class WorkerSecretSource implements SecretSource {
  public static final String ENV_PREFIX = "DYNAMO_SECRET_";
  public static final String DIR_ENV = "DYNAMO_WORKER_SECRETS_DIR";

  private final Map<String, String> env;
  private final Path dir;

  public WorkerSecretSource(Map<String, String> env, Path dir) {
    this.env = env;
    this.dir = dir;
  }

  /** The worker process's own environment and {@code DYNAMO_WORKER_SECRETS_DIR}. */
  public static WorkerSecretSource fromEnvironment() {
    String d = System.getenv(DIR_ENV);
    return new WorkerSecretSource(System.getenv(), d == null || d.isBlank() ? null : Path.of(d));
  }

  static String envName(String secret) {
    return ENV_PREFIX + secret.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
  }

  @Override
  public Optional<byte[]> value(String name) throws IOException {
    String v = env.get(envName(name));
    if (v != null) return Optional.of(v.getBytes(StandardCharsets.UTF_8));
    if (dir == null) return Optional.empty();
    Path f = dir.resolve(name);
    return Files.isRegularFile(f) ? Optional.of(Files.readAllBytes(f)) : Optional.empty();
  }

  @Override
  public Optional<Map<String, byte[]>> whole(String name) throws IOException {
    if (dir == null) return Optional.empty();
    Path d = dir.resolve(name);
    if (!Files.isDirectory(d)) return Optional.empty();
    Map<String, byte[]> values = new TreeMap<>();
    try (Stream<Path> files = Files.list(d)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        values.put(f.getFileName().toString(), Files.readAllBytes(f));
      }
    }
    return Optional.of(values);
  }
}

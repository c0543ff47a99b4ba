package ai.dynamo.deploy.testing.fake;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the {@link FakeTarget} keeps what it "runs": in memory, and in {@code <dir>/fake-state.json} when given a
 * directory, so that another instance (another worker process) sees it. With a directory the file is the truth:
 * every read reloads it, every change rewrites it atomically. Not thread-safe: the target synchronises.
 */
final class FakeStateStore {
  // Temporal's own mapper: the state holds graphs (revision specs), serialised as the history serialises them.
  private static final ObjectMapper JSON =
      JacksonJsonPayloadConverter.newDefaultObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;
  private final Map<String, FakeState> states = new TreeMap<>();

  /** @param dir the state directory, or null for memory only */
  FakeStateStore(Path dir) {
    this.dir = dir;
    if (dir != null) load();
  }

  /** The state of a graph at a place, or null when there is none. */
  FakeState find(String location, String graph) {
    reload();
    return states.get(key(location, graph));
  }

  /** The state of a graph at a place, created empty when there is none. */
  FakeState get(String location, String graph) {
    reload();
    return states.computeIfAbsent(key(location, graph), k -> new FakeState());
  }

  /** Writes the states (with a directory). */
  void save() {
    if (dir == null) return;
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve("fake-state.json.tmp");
      JSON.writeValue(tmp.toFile(), states);
      Files.move(tmp, dir.resolve("fake-state.json"), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write fake target state in " + dir, e);
    }
  }

  private static String key(String location, String graph) {
    return (location == null ? "" : location) + "/" + graph;
  }

  private void reload() {
    if (dir == null) return;
    states.clear();
    load();
  }

  private void load() {
    Path file = dir.resolve("fake-state.json");
    if (!Files.exists(file)) return;
    try {
      states.putAll(JSON.readValue(file.toFile(), new TypeReference<Map<String, FakeState>>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read fake target state " + file, e);
    }
  }
}

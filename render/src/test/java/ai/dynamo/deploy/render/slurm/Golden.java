package ai.dynamo.deploy.render.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Golden files under {@code render/src/test/resources/slurm/golden/<name>/}. To accept a deliberate change, run the
 * test with {@code -Ddynamo.updateGolden=true}, review the diff and commit it.
 */
public final class Golden {
  private Golden() {}

  static final Path ROOT = Path.of("src/test/resources/slurm/golden");

  static void check(String name, Rendering rendering) throws IOException {
    Path dir = ROOT.resolve(name);
    if (Boolean.getBoolean("dynamo.updateGolden")) write(dir, rendering);
    List<String> expectedPaths;
    try (Stream<Path> files = Files.walk(dir)) {
      expectedPaths = files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .sorted().toList();
    }
    List<String> actualPaths = rendering.files().stream().map(RenderedFile::relativePath).sorted().toList();
    assertEquals(expectedPaths, actualPaths, "rendered file set of " + name);
    for (RenderedFile f : rendering.files()) {
      String expected = Files.readString(dir.resolve(f.relativePath()), StandardCharsets.UTF_8);
      assertEquals(expected, f.content(), "golden " + name + "/" + f.relativePath());
    }
  }

  private static void write(Path dir, Rendering rendering) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
      }
    }
    for (RenderedFile f : rendering.files()) {
      Path target = dir.resolve(f.relativePath());
      Files.createDirectories(target.getParent());
      Files.writeString(target, f.content(), StandardCharsets.UTF_8);
    }
  }

  /** Writes a rendering into {@code dir} as a deploy would (scripts executable). */
  public static void materialise(Path dir, Rendering rendering) throws IOException {
    for (RenderedFile f : rendering.files()) {
      Path target = dir.resolve(f.relativePath());
      Files.createDirectories(target.getParent());
      Files.writeString(target, f.content(), StandardCharsets.UTF_8);
      if (f.executable()) target.toFile().setExecutable(true, false);
    }
  }

  /** Writes {@code content} to {@code p} as an executable script (a stand-in program). */
  public static Path executable(Path p, String content) throws IOException {
    Files.writeString(p, content);
    Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }
}

package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The build's rewrite of picocli's Java 5 class files ({@link StackMapUpgrade}) on a copy of picocli's own jar: every
 * class file under the prefix becomes Java 6 with stack maps, every other entry stays byte for byte, and a second
 * run finds nothing to do. That the rewritten classes run the same is {@link ClassDataArchiveTest}'s part.
 */
class StackMapUpgradeTest {
  @TempDir Path dir;

  @Test
  void picocliClassFilesGetJava6AndNothingElseChanges() throws Exception {
    Path jar = dir.resolve("picocli.jar");
    Files.copy(Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI()), jar);
    Map<String, byte[]> before = entries(jar);
    long old = before.entrySet().stream()
        .filter(e -> e.getKey().startsWith("/picocli/") && e.getKey().endsWith(".class"))
        .filter(e -> StackMapUpgrade.majorVersion(e.getValue()) < StackMapUpgrade.JAVA_6).count();
    assertTrue(old > 100, "picocli's class files are no longer Java 5: is this step still needed? " + old);

    assertEquals(old, StackMapUpgrade.upgrade(jar, List.of("picocli/")));

    Map<String, byte[]> after = entries(jar);
    assertEquals(before.keySet(), after.keySet());
    for (Map.Entry<String, byte[]> e : after.entrySet()) {
      String name = e.getKey();
      if (name.startsWith("/picocli/") && name.endsWith(".class")) {
        assertEquals(StackMapUpgrade.JAVA_6, StackMapUpgrade.majorVersion(e.getValue()), name);
      } else {
        assertArrayEquals(before.get(name), e.getValue(), name);
      }
    }
    assertEquals(0, StackMapUpgrade.upgrade(jar, List.of("picocli/")), "a second run rewrote again");
  }

  @Test
  void aPrefixTheJarLacksFailsTheBuild() throws Exception {
    Path jar = dir.resolve("picocli.jar");
    Files.copy(Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI()), jar);
    IOException e = assertThrows(IOException.class, () -> StackMapUpgrade.upgrade(jar, List.of("piccoli/")));
    assertTrue(e.getMessage().contains("piccoli/"), e.getMessage());
  }

  private static Map<String, byte[]> entries(Path jar) throws IOException {
    Map<String, byte[]> entries = new TreeMap<>();
    try (FileSystem zip = FileSystems.newFileSystem(jar); Stream<Path> files = Files.walk(zip.getPath("/"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) entries.put(f.toString(), Files.readAllBytes(f));
    }
    return entries;
  }
}

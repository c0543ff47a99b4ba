package ai.dynamo.deploy.cli.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.render.RenderedFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutputWriterTest {
  @TempDir Path dir;

  @Test
  void writesNestedFilesWithExecutableBits() throws IOException {
    Path out = dir.resolve("out");
    List<Path> written = OutputWriter.write(out, List.of(
        new RenderedFile("a.yaml", "kind: A\n", false),
        new RenderedFile("jobs/b.sbatch", "#!/bin/bash\n", true)));
    assertEquals(List.of(out.resolve("a.yaml"), out.resolve("jobs/b.sbatch")), written);
    assertEquals("kind: A\n", Files.readString(out.resolve("a.yaml")));
    assertTrue(Files.isExecutable(out.resolve("jobs/b.sbatch")));
    assertFalse(Files.isExecutable(out.resolve("a.yaml")));
  }

  @Test
  void refusesAnOutputDirectoryThatIsAFile() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    UserError e = assertThrows(UserError.class,
        () -> OutputWriter.write(file, List.of(new RenderedFile("a.yaml", "a\n", false))));
    assertEquals(ExitCodes.INVALID, e.exitCode());
    assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc/passwd", "../escape.yaml", "a/../../escape.yaml", "a//b", "", "./a", "a/", "C:\\x", "a\\..\\b"})
  void refusesPathsThatLeaveTheDirectoryAndWritesNothing(String bad) {
    Path out = dir.resolve("out");
    UserError e = assertThrows(UserError.class, () -> OutputWriter.write(out, List.of(
        new RenderedFile("ok.yaml", "ok\n", false),
        new RenderedFile(bad, "bad\n", false))));
    assertEquals(ExitCodes.INVALID, e.exitCode());
    assertFalse(Files.exists(out.resolve("ok.yaml")), "nothing is written when one path is bad");
    assertFalse(Files.exists(dir.resolve("escape.yaml")));
  }

  @Test
  void doesNotFollowASymlinkOutOfTheDirectory() throws IOException {
    Path out = Files.createDirectories(dir.resolve("out"));
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Files.createSymbolicLink(out.resolve("jobs"), elsewhere);
    assertThrows(UserError.class,
        () -> OutputWriter.write(out, List.of(new RenderedFile("jobs/x.sbatch", "x\n", true))));
    assertFalse(Files.exists(elsewhere.resolve("x.sbatch")));
  }

  @Test
  void rewritingGivesTheSameBytes() throws IOException {
    Path out = dir.resolve("out");
    List<RenderedFile> files = List.of(new RenderedFile("a.yaml", "kind: A\n", false));
    OutputWriter.write(out, files);
    byte[] first = Files.readAllBytes(out.resolve("a.yaml"));
    OutputWriter.write(out, files);
    assertEquals(new String(first), Files.readString(out.resolve("a.yaml")));
  }
}

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
        new RenderedFile("jobs/b.sbatch", "#!/bin/bash\n", true)), "test").written();
    assertEquals(List.of(out.resolve("a.yaml"), out.resolve("jobs/b.sbatch")), written);
    assertEquals("kind: A\n", Files.readString(out.resolve("a.yaml")));
    assertTrue(Files.isExecutable(out.resolve("jobs/b.sbatch")));
    assertFalse(Files.isExecutable(out.resolve("a.yaml")));
  }

  @Test
  void refusesAnOutputDirectoryThatIsAFile() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    UserError e = assertThrows(UserError.class,
        () -> OutputWriter.write(file, List.of(new RenderedFile("a.yaml", "a\n", false)), "test"));
    assertEquals(ExitCodes.INVALID, e.exitCode());
    assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc/passwd", "../escape.yaml", "a/../../escape.yaml", "a//b", "", "./a", "a/", "C:\\x", "a\\..\\b"})
  void refusesPathsThatLeaveTheDirectoryAndWritesNothing(String bad) {
    Path out = dir.resolve("out");
    UserError e = assertThrows(UserError.class, () -> OutputWriter.write(out, List.of(
        new RenderedFile("ok.yaml", "ok\n", false),
        new RenderedFile(bad, "bad\n", false)), "test"));
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
        () -> OutputWriter.write(out, List.of(new RenderedFile("jobs/x.sbatch", "x\n", true)), "test"));
    assertFalse(Files.exists(elsewhere.resolve("x.sbatch")));
  }

  @Test
  void rewritingGivesTheSameBytes() throws IOException {
    Path out = dir.resolve("out");
    List<RenderedFile> files = List.of(new RenderedFile("a.yaml", "kind: A\n", false));
    OutputWriter.write(out, files, "test");
    byte[] first = Files.readAllBytes(out.resolve("a.yaml"));
    OutputWriter.write(out, files, "test");
    assertEquals(new String(first), Files.readString(out.resolve("a.yaml")));
  }

  private static RenderedFile yaml(String path) {
    return new RenderedFile(path, "kind: " + path + "\n", false);
  }

  private static List<String> listing(Path root) throws IOException {
    try (java.util.stream.Stream<Path> s = Files.walk(root)) {
      return s.map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void aLaterRenderRemovesTheFilesOfAnEarlierOneItNoLongerHasAndSaysSo() throws IOException {
    Path out = dir.resolve("out");
    OutputWriter.write(out, List.of(yaml("a.yaml"), yaml("b.yaml"),
        new RenderedFile("b-0/b-0.sbatch", "#!/bin/bash\n", true)), "graph A, target k8s");
    Files.writeString(out.resolve("README.md"), "my notes\n");
    OutputWriter.Written second = OutputWriter.write(out, List.of(yaml("a.yaml"), yaml("c.yaml")), "graph B");
    assertEquals(List.of(out.resolve("b.yaml"), out.resolve("b-0/b-0.sbatch")), second.removed());
    assertEquals(List.of("", ".dynamo-rendered", "README.md", "a.yaml", "c.yaml"), listing(out),
        "the emptied job directory is gone too; the user's README stays");
    assertEquals("my notes\n", Files.readString(out.resolve("README.md")));
    assertEquals(List.of("a.yaml", "c.yaml"), List.copyOf(RenderRecord.read(out)));
    assertTrue(Files.readString(out.resolve(".dynamo-rendered")).contains("graph B"));
    assertEquals(List.of(), OutputWriter.write(out, List.of(yaml("a.yaml"), yaml("c.yaml")), "graph B").removed());
  }

  @Test
  void aLaterRenderRemovesTheTemporaryFilesAnInterruptedOneLeftButNoUserFiles() throws IOException {
    Path out = dir.resolve("out");
    OutputWriter.write(out, List.of(yaml("a.yaml"), new RenderedFile("b-0/b-0.sbatch", "#!/bin/bash\n", true)), "A");
    // What a render killed between writing a temporary file and renaming it leaves (OutputWriter.replace).
    Files.writeString(out.resolve(".a.yaml.dynamo-tmp"), "kind: half");
    Files.writeString(out.resolve("b-0/.b-0.sbatch.dynamo-tmp"), "#!/bin/ba");
    Files.writeString(out.resolve("..dynamo-rendered.dynamo-tmp"), "# Written by"); // the record's
    // The user's files, even ones that look like ours, stay.
    Files.writeString(out.resolve(".mine.yaml.dynamo-tmp"), "mine\n");
    Files.writeString(out.resolve("notes.dynamo-tmp"), "notes\n");
    OutputWriter.Written second = OutputWriter.write(out, List.of(yaml("a.yaml")), "B");
    assertEquals(List.of("", ".dynamo-rendered", ".mine.yaml.dynamo-tmp", "a.yaml", "notes.dynamo-tmp"), listing(out));
    assertEquals(List.of(out.resolve("..dynamo-rendered.dynamo-tmp"), out.resolve(".a.yaml.dynamo-tmp"),
        out.resolve("b-0/.b-0.sbatch.dynamo-tmp"), out.resolve("b-0/b-0.sbatch")), second.removed());
    assertEquals("kind: a.yaml\n", Files.readString(out.resolve("a.yaml")));
  }

  @Test
  void leftoverTemporaryFilesAreNotRemovedThroughALinkOutOfTheDirectory() throws IOException {
    Path out = dir.resolve("out");
    OutputWriter.write(out, List.of(new RenderedFile("jobs/x.sbatch", "x\n", true)), "A");
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Path theirs = Files.writeString(elsewhere.resolve(".x.sbatch.dynamo-tmp"), "theirs\n");
    Files.delete(out.resolve("jobs/x.sbatch"));
    Files.delete(out.resolve("jobs"));
    Files.createSymbolicLink(out.resolve("jobs"), elsewhere);
    OutputWriter.write(out, List.of(yaml("a.yaml")), "B");
    assertEquals("theirs\n", Files.readString(theirs));
  }

  @Test
  void filesNotOursThatLookLikeTheRenderAreRefusedByNameAndNothingChanges() throws IOException {
    Path out = dir.resolve("out");
    OutputWriter.write(out, List.of(yaml("a.yaml"), yaml("b.yaml")), "graph A");
    Files.writeString(out.resolve("mine.yaml"), "kind: Mine\n");
    Files.createDirectories(out.resolve("x"));
    Files.writeString(out.resolve("x/other.yaml"), "kind: Other\n");
    Files.writeString(out.resolve("notes.txt"), "notes\n");
    List<String> before = listing(out);
    String record = Files.readString(out.resolve(".dynamo-rendered"));
    UserError e = assertThrows(UserError.class,
        () -> OutputWriter.write(out, List.of(yaml("a.yaml")), "graph B"));
    assertEquals(ExitCodes.INVALID, e.exitCode());
    assertTrue(e.getMessage().contains("holds 2 files that dynamo did not render there: mine.yaml, x/other.yaml"),
        e.getMessage());
    assertFalse(e.getMessage().contains("notes.txt"), "other kinds are no one's concern here: " + e.getMessage());
    assertEquals(before, listing(out), "nothing written or removed");
    assertEquals("kind: b.yaml\n", Files.readString(out.resolve("b.yaml")));
    assertEquals(record, Files.readString(out.resolve(".dynamo-rendered")));
  }

  @Test
  void anOutputDirectoryThatIsALinkIsCheckedLikeAnyOther() throws IOException {
    Path real = Files.createDirectories(dir.resolve("real"));
    Files.writeString(real.resolve("mine.yaml"), "kind: Mine\n");
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    UserError e = assertThrows(UserError.class, () -> OutputWriter.write(link, List.of(yaml("a.yaml")), "g"));
    assertTrue(e.getMessage().contains("did not render there: mine.yaml"), e.getMessage());
  }

  @Test
  void aFileNotOursAtAPathTheRenderWritesIsRefusedNotOverwritten() throws IOException {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("a.sbatch"), "mine\n"); // e.g. a render of an older dynamo, which kept no record
    UserError e = assertThrows(UserError.class,
        () -> OutputWriter.write(out, List.of(new RenderedFile("a.sbatch", "ours\n", true)), "graph A"));
    assertTrue(e.getMessage().contains(": a.sbatch;"), e.getMessage());
    assertEquals("mine\n", Files.readString(out.resolve("a.sbatch")));
    assertFalse(Files.exists(out.resolve(".dynamo-rendered")));
  }

  @Test
  void aRecordNamingAPathOutsideTheDirectoryIsRefusedAndNothingIsDeleted() throws IOException {
    Path out = Files.createDirectories(dir.resolve("out"));
    Path victim = Files.writeString(dir.resolve("victim.yaml"), "keep\n");
    Files.writeString(out.resolve(".dynamo-rendered"), "# tampered\n../victim.yaml\n");
    UserError e = assertThrows(UserError.class, () -> OutputWriter.write(out, List.of(yaml("a.yaml")), "g"));
    assertTrue(e.getMessage().contains(".dynamo-rendered:2: \"../victim.yaml\""), e.getMessage());
    assertTrue(Files.exists(victim));
    assertFalse(Files.exists(out.resolve("a.yaml")));
  }
}

package ai.dynamo.deploy.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Build time only (cli/pom.xml): makes a static class-data archive (AppCDS) of what {@link CdsTraining} loads, in two
 * JVMs: the training with {@code -XX:DumpLoadedClassList}, then {@code -Xshare:dump} of that list. A static archive,
 * unlike a dynamic one ({@code -XX:ArchiveClassesAtExit}), holds classes of old class-file versions (picocli's are
 * Java 5, Java 6 with stack maps after {@link StackMapUpgrade}) and the JDK's classes and pre-generated method-handle
 * forms the verbs use, so a start maps them instead of loading, verifying or generating them. It replaces the JDK's default archive for the runs that use it; the JVM
 * checks the jar's path, size and time and ignores an archive that does not match (the launcher passes it only when
 * it is newer than the jar).
 */
final class ClassDataArchive {
  /** Each step is bounded: a build never hangs on a training that does not end. */
  private static final long STEP_MINUTES = 5;

  private ClassDataArchive() {}

  /** @param args the training's kind ({@code short} or {@code all}), the archive to write, the demo graph */
  public static void main(String[] args) throws IOException, InterruptedException {
    Path archive = Path.of(args[1]);
    make(args[0], archive, Path.of(args[2]), System.getProperty("java.class.path"),
        Path.of(System.getProperty("java.home"), "bin", "java"));
  }

  /**
   * @param classPath jars only (a class-data archive refuses directories on the class path)
   * @throws IOException when a step fails; its output is in {@code <archive>.log}
   */
  static void make(String kind, Path archive, Path graph, String classPath, Path java)
      throws IOException, InterruptedException {
    Path classList = Path.of(archive + ".classlist");
    Path log = Path.of(archive + ".log");
    Files.deleteIfExists(archive);
    Files.deleteIfExists(log);
    // The short verbs' options (cli launcher): the list follows what those runs load.
    run(List.of(java.toString(), "-XX:DumpLoadedClassList=" + classList, "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-cp", classPath, CdsTraining.class.getName(), kind, graph.toString()), log);
    // G1 whatever the machine's default: only a G1 dump holds the heap objects (and the JDK's module graph with
    // them) that help and validate, run with G1 (the dynamo launcher), map instead of building.
    run(List.of(java.toString(), "-XX:+UseG1GC", "-Xshare:dump", "-XX:SharedClassListFile=" + classList,
        "-XX:SharedArchiveFile=" + archive, "-cp", classPath), log);
    if (!Files.isRegularFile(archive)) throw new IOException("no archive " + archive + " was written; see " + log);
  }

  private static void run(List<String> command, Path log) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    if (!p.waitFor(STEP_MINUTES, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("class-data archive: no end within " + STEP_MINUTES + " min: " + String.join(" ", command)
          + "; see " + log);
    }
    if (p.exitValue() != 0) {
      throw new IOException("class-data archive: exit " + p.exitValue() + ": " + String.join(" ", command)
          + "; see " + log);
    }
  }
}

package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.ExampleGraphs;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive cli/pom.xml makes for {@code --help} and {@code validate} ({@link ClassDataArchive}, the same code) holds
 * picocli's classes, whose Java 5 class files a dynamic archive skips, and every other class of the class path that
 * {@code --help} loads, and changes nothing a user sees. Observed in fresh JVMs with {@code -Xlog:class+load}: a
 * behaviour, not a timing (timings are in bench/run.sh). A class-data archive takes jars only, so this module's class
 * directories are packed into jars first.
 */
@Timeout(300)
class ClassDataArchiveTest {
  @TempDir Path dir;

  @Test
  void theShortArchiveHoldsPicocliAndHelpReadsTheSame() throws Exception {
    String original = jarsOnly(System.getProperty("java.class.path"));
    // As cli/pom.xml does before the archives: picocli's class files with stack maps (StackMapUpgrade).
    String classPath = withStackMaps(original);
    Path demo = ExampleGraphs.repositoryRoot().resolve("examples/demo-graph.yaml");
    Path archive = dir.resolve("short.jsa");
    ClassDataArchive.make("short", archive, demo, classPath, java());

    String with = run(classPath, "-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-Xlog:class+load=info:file="
        + dir.resolve("with.log"), "-Xlog:class+init=info:file=" + dir.resolve("init.log"));
    String without = run(classPath, "-Xshare:off");
    assertEquals(without, with);
    assertEquals(run(original, "-Xshare:off"), with, "picocli with stack maps reads differently");
    assertTrue(with.startsWith("Usage: dynamo"), with);
    // picocli's classes were verified at the dump: a start verifies none of the class path's classes again (only
    // the annotation proxies the JDK generates at run time).
    assertEquals(List.of(), Files.readAllLines(dir.resolve("init.log")).stream()
        .filter(l -> l.contains("Start class verification for: ") && !l.contains(".$Proxy")).toList());
    List<String> loads = Files.readAllLines(dir.resolve("with.log"));
    assertTrue(loads.stream().anyMatch(l -> l.contains(" picocli.CommandLine source: shared objects file")),
        "picocli's main class is not in the archive");
    assertTrue(loads.stream().anyMatch(l -> l.contains(" ai.dynamo.deploy.cli.Main source: shared objects file")));
    // Every class of the class path that --help loads comes from the archive: none is read from a jar, and so none
    // left out at dump time (as picocli's interfaces were when lambdas implemented them: Main's handlers).
    assertEquals(List.of(), loads.stream().filter(l -> l.contains(" source: file:")).toList());
    // Nor does anything else look on the class path, which would open the jar (picocli's probe for Groovy, off in
    // Main): the class path's own trace (JDK 17) names every lookup.
    String traced = run(classPath, "-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-Dsun.misc.URLClassPath.debug=true");
    assertTrue(traced.startsWith("Usage: dynamo") && !traced.contains("URLClassPath.getResource"), traced);
    // The archive holds heap objects whatever this machine's default collector: G1 (the launcher's for help and
    // validate) maps the JDK's module graph from it instead of building it.
    String g1 = run(classPath, "-XX:+UseG1GC", "-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-Xlog:cds=info");
    assertTrue(g1.contains("full module graph: enabled") && g1.contains("Usage: dynamo"), g1);
  }

  @Test
  void aStepThatFailsEndsTheBuildNamingItsLog() {
    Path archive = dir.resolve("never.jsa");
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ClassDataArchive.make(
        "short", archive, dir.resolve("absent.yaml"), "", Path.of("/bin/false")));
    assertTrue(e.getMessage().contains("exit 1") && e.getMessage().contains(archive + ".log"), e.getMessage());
    assertTrue(!Files.exists(archive));
  }

  private String run(String classPath, String... jvmOptions) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(java().toString()));
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", classPath, Main.class.getName(), "--help"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  /** The class path with its picocli jar replaced by a copy whose class files have stack maps. */
  private String withStackMaps(String classPath) throws IOException {
    List<String> entries = new ArrayList<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      if (Path.of(entry).getFileName().toString().startsWith("picocli-")) {
        Path copy = dir.resolve("picocli-with-stack-maps.jar");
        Files.copy(Path.of(entry), copy);
        assertTrue(StackMapUpgrade.upgrade(copy, List.of("picocli/")) > 100);
        entries.add(copy.toString());
      } else {
        entries.add(entry);
      }
    }
    assertTrue(entries.stream().anyMatch(e -> e.endsWith("picocli-with-stack-maps.jar")), classPath);
    return String.join(File.pathSeparator, entries);
  }

  /** The class path with each directory packed into a jar of its own. */
  private String jarsOnly(String classPath) throws IOException {
    List<String> jars = new ArrayList<>();
    int n = 0;
    for (String entry : classPath.split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (Files.isDirectory(p)) {
        Path jar = dir.resolve("classes-" + n++ + ".jar");
        pack(p, jar);
        jars.add(jar.toString());
      } else if (Files.isRegularFile(p)) {
        jars.add(entry);
      }
    }
    return String.join(File.pathSeparator, jars);
  }

  private static void pack(Path root, Path jar) throws IOException {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(root.relativize(f).toString().replace(File.separatorChar, '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
  }

  private static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }
}

package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.ExampleGraphs;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code dynamo} launcher in a scratch git checkout, with {@code mvn} and {@code java} replaced by scripts that
 * record their calls: it rebuilds exactly when a source changed (without walking the tree in a git checkout), and
 * passes the class-data archive and the short-verb JVM options as documented. The JVM's own refusal of an archive
 * it cannot use is checked with the real {@code java}.
 */
@Timeout(120)
class LauncherTest {
  @TempDir Path dir;
  private Path repo;
  private Path calls;
  private Path bin;

  @BeforeEach
  void checkout() throws Exception {
    repo = Files.createDirectories(dir.resolve("repo"));
    Files.copy(ExampleGraphs.repositoryRoot().resolve("dynamo"), repo.resolve("dynamo"));
    Files.writeString(repo.resolve("pom.xml"), "<project/>\n");
    Files.writeString(repo.resolve(".gitignore"), "target/\n/.dynamo/\n");
    Files.writeString(repo.resolve("README.md"), "readme\n");
    write("cli/src/main/java/A.java", "class A {}\n");
    calls = dir.resolve("calls");
    bin = Files.createDirectories(dir.resolve("bin"));
    // The build writes the jar, then the archives (newer than the jar), as cli/pom.xml does.
    script("mvn", "echo build >> '" + calls + "'\nmkdir -p cli/target\ntouch cli/target/dynamo.jar\nsleep 0.05\n"
        + "touch cli/target/dynamo.jsa cli/target/dynamo-short.jsa\n");
    script("java", "echo \"java $*\" >> '" + calls + "'\n");
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "-m", "start");
  }

  @Test
  void buildsOnFirstUseThenOnlyWhenASourceChanges() throws Exception {
    assertEquals(List.of("build", "run"), dynamo("--help"));
    assertEquals(List.of("run"), dynamo("--help"));

    write("cli/src/main/java/A.java", "class A { int x; }\n");
    assertEquals(List.of("build", "run"), dynamo("--help"), "an edited source");
    assertEquals(List.of("run"), dynamo("--help"));

    write("cli/src/main/java/A.java", "class A { int y; }\n");
    newerThanJar("cli/src/main/java/A.java");
    assertEquals(List.of("build", "run"), dynamo("--help"), "a second edit of a file already changed");

    write("cli/src/main/java/B.java", "class B {}\n");
    assertEquals(List.of("build", "run"), dynamo("--help"), "a new, untracked source");

    write("README.md", "more\n");
    assertEquals(List.of("run"), dynamo("--help"), "not a source");
    write("cli/src/test/java/ATest.java", "class ATest {}\n");
    assertEquals(List.of("run"), dynamo("--help"), "a test is not in the jar");
    write("cli/src/main/resources/r.txt", "r\n");
    assertEquals(List.of("build", "run"), dynamo("--help"), "a resource is");
    git("add", "README.md");
    git("commit", "-q", "-m", "docs");
    assertEquals(List.of("run"), dynamo("--help"), "a commit that changes no source");

    git("add", "-A");
    git("commit", "-q", "-m", "sources");
    dynamo("--help");
    write("pom.xml", "<project><x/></project>\n");
    assertEquals(List.of("build", "run"), dynamo("--help"), "a pom");
    Files.delete(repo.resolve("cli/src/main/java/B.java"));
    assertEquals(List.of("build", "run"), dynamo("--help"), "a deleted source");
  }

  @Test
  void outsideGitANewerSourceRebuilds() throws Exception {
    dynamo("--help");
    deleteTree(repo.resolve(".git"));
    assertEquals(List.of("run"), dynamo("--help"));
    write("cli/src/test/java/ATest.java", "class ATest {}\n");
    newerThanJar("cli/src/test/java/ATest.java");
    assertEquals(List.of("run"), dynamo("--help"), "a test is not in the jar");
    write("cli/src/main/java/A.java", "class A { int z; }\n");
    newerThanJar("cli/src/main/java/A.java");
    assertEquals(List.of("build", "run"), dynamo("--help"));
  }

  @Test
  void shortVerbsGetTheirArchiveAndC1AndLongRunningOnesTheJvmDefaults() throws Exception {
    dynamo("--help");
    String jar = repo.toRealPath() + "/cli/target/dynamo.jar";
    String shortArchive = "-XX:SharedArchiveFile=" + repo.toRealPath() + "/cli/target/dynamo-short.jsa";
    String archive = "-XX:SharedArchiveFile=" + repo.toRealPath() + "/cli/target/dynamo.jsa";
    String help = lastJava("--help");
    assertTrue(help.contains(shortArchive) && help.contains("-XX:TieredStopAtLevel=1")
        && help.endsWith("-cp " + jar + " ai.dynamo.deploy.cli.Main --help"), help);
    assertTrue(help.contains(" -XX:ArchiveRelocationMode=0 "), help);
    String pair = "-XX:+UnlockDiagnosticVMOptions -XX:+IgnoreUnrecognizedVMOptions";
    assertEquals(help.indexOf(pair), help.lastIndexOf(pair), "the diagnostic pair once: " + help);
    String cancel = lastJava("deploy", "cancel", "g"); // the full archive, no stub flags: the pair for the relocation
    assertTrue(cancel.contains(pair + " -XX:ArchiveRelocationMode=0") && !cancel.contains("UseSHA"), cancel);
    assertTrue(help.contains("-XX:-UsePerfData") && help.contains("-XX:CICompilerCount=1")
        && help.contains("-XX:+UseG1GC") && !help.contains("SerialGC"), help);
    String validate = lastJava("--debug", "validate", "-f", "g.yaml");
    assertTrue(validate.contains(shortArchive) && validate.contains("-XX:CICompilerCount=1")
        && validate.contains("-XX:+UseG1GC"), validate);
    String noStubs = "-XX:+UnlockDiagnosticVMOptions -XX:+IgnoreUnrecognizedVMOptions -XX:-UseAESIntrinsics"
        + " -XX:-UseAESCTRIntrinsics -XX:-UseGHASHIntrinsics -XX:-UseSHA -XX:-UseBASE64Intrinsics";
    assertTrue(help.contains(noStubs) && validate.contains(noStubs), help);
    // the caller's own compiler options: one compiler thread with C2 on would not start
    for (String own : List.of("-XX:TieredStopAtLevel=4", "-XX:-TieredCompilation", "-XX:CICompilerCount=3", "-Xint")) {
      String line = lastJavaWith(own, "--help");
      assertTrue(line.contains(own + " -cp ") && !line.contains("CICompilerCount=1"), line);
    }
    // nor a collector of the caller's beside G1: two collectors would not start
    String serial = lastJavaWith("-XX:+UseSerialGC", "validate", "-f", "g.yaml");
    assertTrue(serial.contains("-XX:+UseSerialGC -cp ") && !serial.contains("G1"), serial);
    // deploy verbs start in the thin client; the daemon's verbs without an archive when a daemon runs (it would
    // cost more than it saves), with it when none does (the verb then runs in this JVM)
    String thin = "-cp " + jar + " ai.dynamo.deploy.cli.daemon.ThinClient deploy";
    String status = lastJava("deploy", "status", "g");
    assertTrue(status.contains(thin) && status.contains(archive) && status.contains("-XX:+UseSerialGC")
        && !status.contains("CICompilerCount") && !status.contains("G1") && !status.contains("UseSHA"), status);
    Path socket = Files.createDirectories(dir.resolve("dynamo")).resolve("daemon-0123456789abcdef.sock");
    try (ServerSocketChannel daemon = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      daemon.bind(UnixDomainSocketAddress.of(socket));
      for (String verb : ai.dynamo.deploy.cli.daemon.DaemonRoute.DEPLOY_VERBS) {
        String line = lastJava("deploy", verb, "g", "--address", "127.0.0.1:7233");
        assertTrue(line.contains(thin) && !line.contains("SharedArchiveFile"), line);
      }
      // logs reads the target in its own process
      assertTrue(lastJava("deploy", "logs", "g", "frontend").contains(archive));
      // a diff that names no service while none answers on 127.0.0.1:7233 embeds one, as a deploy's start
      String diffEmbeds = lastJava("deploy", "diff", "-f", "g.yaml");
      assertEquals(!answersOnTheLocalTemporalPort(), diffEmbeds.contains(archive), diffEmbeds);
      // a deploy's start runs in the daemon too; rendering files and --debug stay in this JVM, with the archive
      for (List<String> start : List.of(List.of("deploy", "-f", "g.yaml", "--wait", "--address", "127.0.0.1:7233"),
          List.of("deploy", "--target", "fake", "--file=g.yaml", "--address=temporal.example:7233"),
          List.of("deploy", "-f", "g.yaml", "--temporal-profile", "prod"))) {
        String deploy = lastJava(start.toArray(String[]::new));
        assertTrue(deploy.contains(thin) && !deploy.contains("SharedArchiveFile"), deploy);
      }
      // ... but one that names no service while none answers on 127.0.0.1:7233 embeds one: the daemon hands it back
      // to this JVM, which keeps its archive
      String embeds = lastJava("deploy", "-f", "g.yaml", "--wait");
      assertTrue(embeds.contains(thin), embeds);
      assertEquals(!answersOnTheLocalTemporalPort(), embeds.contains(archive), embeds);
      for (List<String> here : List.of(List.of("deploy", "-f", "g.yaml", "--out_dir", "o"),
          List.of("deploy", "-f", "g.yaml", "--out-dir=o"), List.of("deploy", "--debug", "-f", "g.yaml"))) {
        String deploy = lastJava(here.toArray(String[]::new));
        assertTrue(deploy.contains(thin) && deploy.contains(archive), deploy);
      }
    }
    String worker = lastJava("worker");
    assertTrue(worker.contains(archive) && !worker.contains("TieredStopAtLevel") && !worker.contains("SerialGC")
        && !worker.contains("UsePerfData") && !worker.contains("ArchiveRelocationMode")
        && !worker.contains("CICompilerCount") && !worker.contains("G1") && !worker.contains("UseSHA"), worker);

    // An archive older than the jar (a jar built without one) is not passed at all.
    Files.setLastModifiedTime(repo.resolve("cli/target/dynamo.jar"), FileTime.fromMillis(System.currentTimeMillis() + 5000));
    String without = lastJava("--help");
    assertFalse(without.contains("SharedArchiveFile") || without.contains("ArchiveRelocationMode"), without);
  }

  @Test
  void theJvmRunsWithoutAnArchiveItCannotUseAndSaysNothing() throws Exception {
    Path garbage = Files.write(dir.resolve("stale.jsa"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    for (Path archive : List.of(garbage, dir.resolve("missing.jsa"))) {
      List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
          "-XX:+UnlockDiagnosticVMOptions", "-XX:+IgnoreUnrecognizedVMOptions", "-XX:ArchiveRelocationMode=0",
          // help's and validate's compilers and collector: C1 only, one thread (a JVM with C2 on would refuse one
          // thread), G1
          "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:+UseG1GC", "-XX:-UseAESIntrinsics",
          "-XX:-UseAESCTRIntrinsics", "-XX:-UseGHASHIntrinsics", "-XX:-UseSHA", "-XX:-UseBASE64Intrinsics",
          // what a `java` without the relocation flag meets: the launcher's guard lets it start all the same
          "-XX:DynamoNoSuchVmFlag=0",
          "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--version");
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), out);
      assertTrue(out.startsWith("dynamo-deploy "), out);
      assertEquals(1, out.lines().count(), out);
    }
  }

  /** Runs the launcher; "build" for each build it started, then "run" when it ran java. */
  private List<String> dynamo(String... args) throws Exception {
    Files.deleteIfExists(calls);
    run(repo.resolve("dynamo").toString(), args);
    List<String> seen = new ArrayList<>();
    for (String line : Files.readAllLines(calls)) seen.add(line.startsWith("java ") ? "run" : line);
    return seen;
  }

  private String lastJava(String... args) throws Exception {
    return lastJavaWith(null, args);
  }

  /** The java command line the launcher ran, with DYNAMO_JAVA_OPTS set to {@code javaOpts} (unless null). */
  private String lastJavaWith(String javaOpts, String... args) throws Exception {
    Files.deleteIfExists(calls);
    runWith(javaOpts, repo.resolve("dynamo").toString(), args);
    List<String> lines = Files.readAllLines(calls);
    return lines.get(lines.size() - 1);
  }

  private void run(String launcher, String... args) throws IOException, InterruptedException {
    runWith(null, launcher, args);
  }

  private void runWith(String javaOpts, String launcher, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", launcher));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("launcher.out").toFile());
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().put("XDG_RUNTIME_DIR", dir.toString()); // the daemon's socket, if any, in dir/dynamo
    pb.environment().remove("DYNAMO_DAEMON");
    pb.environment().remove("DYNAMO_JAVA_OPTS");
    if (javaOpts != null) pb.environment().put("DYNAMO_JAVA_OPTS", javaOpts);
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not end");
    assertEquals(0, p.exitValue(), Files.readString(dir.resolve("launcher.out")));
  }

  /** Whether something (a `dynamo server` of the machine's user, say) listens on 127.0.0.1:7233. */
  private static boolean answersOnTheLocalTemporalPort() {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", 7233), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void git(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString(), "-c", "user.name=t",
        "-c", "user.email=t@example.invalid"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
  }

  private void write(String path, String text) throws IOException {
    Path file = repo.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private void script(String name, String body) throws IOException {
    Path file = bin.resolve(name);
    Files.writeString(file, "#!/usr/bin/env bash\n" + body);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** A later edit: its time just after the jar's, whatever the clock's resolution (not in the future). */
  private void newerThanJar(String path) throws IOException {
    FileTime jar = Files.getLastModifiedTime(repo.resolve("cli/target/dynamo.jar"));
    Files.setLastModifiedTime(repo.resolve(path), FileTime.fromMillis(jar.toMillis() + 1));
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}

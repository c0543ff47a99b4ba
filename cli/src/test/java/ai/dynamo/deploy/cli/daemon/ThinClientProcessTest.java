package ai.dynamo.deploy.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thin client as {@code ./dynamo} runs it, in a JVM of its own, against a daemon server in this JVM: it relays
 * standard output and error to its own and exits with the command's code, and loads no Temporal, gRPC or picocli
 * class to do so (that is the point of it).
 */
class ThinClientProcessTest {
  @TempDir Path runtime;

  @Test
  void relaysOutputAndExitCodeWithoutLoadingTheSdk() throws Exception {
    SocketDirectory dir = SocketDirectory.open(runtime.resolve("dynamo"), new StringBuilder()).orElseThrow();
    JarIdentity jar = JarIdentity.ofThisProcess(); // the same classes directory the client runs from
    DaemonServer.Runner runner = (request, out, err, host) -> {
      out.println("out: " + String.join(" ", request.args()) + " TERM_SEEN=" + request.env().get("DYNAMO_PROBE"));
      err.println("err line");
      return 3;
    };
    try (DaemonServer server = DaemonServer.start(dir.socket(jar.path()), jar, Duration.ofMinutes(10),
        Duration.ofSeconds(1), runner, new PrintWriter(new StringWriter(), true))) {
      Path stdout = runtime.resolve("out");
      Path stderr = runtime.resolve("err");
      ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xlog:class+load=info:file=" + runtime.resolve("classes.log"), "-cp", System.getProperty("java.class.path"),
          ThinClient.class.getName(), "deploy", "status", "demo"))
          .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
      pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
      pb.environment().put("DYNAMO_PROBE", "from-client");
      pb.environment().remove("DYNAMO_DAEMON");
      Process p = pb.start();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the thin client did not end");
      assertEquals(3, p.exitValue(), Files.readString(stderr));
      assertEquals("out: deploy status demo TERM_SEEN=from-client" + System.lineSeparator(), Files.readString(stdout));
      assertEquals("err line" + System.lineSeparator(), Files.readString(stderr));
      String loaded = Files.readString(runtime.resolve("classes.log"));
      assertTrue(loaded.contains(ThinClient.class.getName()), "class loading was not logged");
      for (String forbidden : List.of("io.temporal.", "io.grpc.", "picocli.", "com.google.protobuf.",
          "ai.dynamo.deploy.cli.Main ")) {
        assertTrue(!loaded.contains(forbidden), forbidden + " was loaded");
      }
    }
  }

  @Test
  void aCommandTheDaemonHandsBackRunsInTheClientWhichStartsNoOtherDaemon() throws Exception {
    SocketDirectory dir = SocketDirectory.open(runtime.resolve("dynamo"), new StringBuilder()).orElseThrow();
    JarIdentity jar = JarIdentity.ofThisProcess();
    DaemonServer.Runner runner = (request, out, err, host) -> {
      throw new ai.dynamo.deploy.cli.action.RunInCallersProcess("would embed a Temporal service");
    };
    try (DaemonServer server = DaemonServer.start(dir.socket(jar.path()), jar, Duration.ofMinutes(10),
        Duration.ofSeconds(1), runner, new PrintWriter(new StringWriter(), true))) {
      Path work = Files.createDirectories(runtime.resolve("work"));
      Path stderr = runtime.resolve("err");
      ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), ThinClient.class.getName(), "deploy", "--target", "fake", "-f",
          "missing.yaml")).directory(work.toFile()).redirectOutput(runtime.resolve("out").toFile())
          .redirectError(stderr.toFile());
      pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
      pb.environment().remove("DYNAMO_DAEMON");
      Process p = pb.start();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the thin client did not end");
      // What the command says in a process of its own: the graph file, in the client's directory, is missing.
      assertEquals(2, p.exitValue(), Files.readString(stderr));
      assertTrue(Files.readString(stderr).contains(work.resolve("missing.yaml").toString()), Files.readString(stderr));
      assertTrue(!server.isStopped(), "the daemon stays");
      // the daemon that handed the command back still serves: no other is started (its log would be there now)
      assertTrue(!Files.exists(dir.log(jar.path())), "a second daemon was started");
    }
  }
}

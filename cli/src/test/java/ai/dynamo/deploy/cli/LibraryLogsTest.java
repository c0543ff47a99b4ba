package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.ExampleGraphs;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No library log line or stack trace reaches the terminal without {@code --debug}: a failing deploy on the embedded
 * service, in a process of its own, says where its logs went; the SDK's warnings are in that file.
 */
@Timeout(180)
class LibraryLogsTest {
  @TempDir Path dir;

  /**
   * sshj's {@code Promise} logs each failed wait at ERROR just before it throws the same failure to our code, which
   * reports it with its endpoint: that logger is off (simplelogger.properties); sshj's others keep their level.
   */
  @Test
  void sshjsPromiseLoggerIsOffAndItsOtherLoggersAreNot() {
    assertFalse(org.slf4j.LoggerFactory.getLogger("net.schmizz.concurrent.Promise").isErrorEnabled());
    assertTrue(org.slf4j.LoggerFactory.getLogger("net.schmizz.sshj.transport.TransportImpl").isErrorEnabled());
  }

  @Test
  void aFailingEmbeddedDeployPrintsNoLibraryLineAndSaysWhereTheLogsAre() throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Path graph = Files.writeString(dir.resolve("demo.yaml"), ExampleGraphs.text(ExampleGraphs.DEMO));
    int nobody;
    try (ServerSocket s = new ServerSocket(0)) {
      nobody = s.getLocalPort(); // no dynamo server there: the embedded service runs
    }
    Map<String, String> env = Map.of("HOME", home.toString(), "XDG_STATE_HOME", "",
        "TEMPORAL_CONFIG_FILE", dir.resolve("no-temporal.toml").toString());
    List<String> jvm = List.of("-Duser.home=" + home, "-Ddynamo.localTemporalPort=" + nobody);
    String[] deploy = {"deploy", "--target", "fake", "--set", "location=logs", "--set",
        "fake.failComponent=frontend", "-f", graph.toString()};
    try (ServerProcessTest.Dynamo run = new ServerProcessTest.Dynamo(env, jvm, deploy)) {
      assertEquals(ExitCodes.DEPLOY_FAILED, run.exit(), String.join("\n", run.seen));
      String output = String.join("\n", run.seen);
      assertTrue(output.contains("ROLLED_BACK: "), output);
      assertFalse(output.contains("io.temporal") || output.contains("WARN") || output.contains("\tat "), output);
      Path logs = home.resolve(".local/state/dynamo");
      String where = run.seen.get(run.seen.size() - 1);
      assertTrue(where.startsWith("(library logs of this run: " + logs + "/dynamo-"), output);
      Path file = Path.of(where.substring(where.indexOf(": ") + 2, where.length() - 1));
      assertTrue(Files.readString(file).contains("io.temporal"), "the SDK's lines are in the file");
    }
  }

  @Test
  void theDevelopmentServerKeepsTheSdksStackTracesOfAFailedDeployInItsLogFile() throws Exception {
    Path home = Files.createDirectories(dir.resolve("server-home"));
    Path graph = Files.writeString(dir.resolve("demo.yaml"), ExampleGraphs.text(ExampleGraphs.DEMO));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Map<String, String> env = Map.of("HOME", home.toString(), "XDG_STATE_HOME", "",
        "TEMPORAL_ADDRESS", "127.0.0.1:" + port, "TEMPORAL_CONFIG_FILE", dir.resolve("no-temporal.toml").toString());
    List<String> jvm = List.of("-Duser.home=" + home);
    try (ServerProcessTest.Dynamo server = new ServerProcessTest.Dynamo(env, jvm, "server", "--port",
        Integer.toString(port))) {
      String banner = server.await(l -> l.startsWith("Library logs "), "the server naming its log file");
      Path file = Path.of(banner.substring(banner.lastIndexOf(": ") + 2));
      assertTrue(file.getFileName().toString().startsWith(LogSetup.SERVER_PREFIX)
          && file.startsWith(home.resolve(".local/state/dynamo")), banner);
      String[] deploy = {"deploy", "--target", "fake", "--set", "location=server-logs", "--set",
          "fake.failComponent=frontend", "-f", graph.toString(), "--wait"};
      try (ServerProcessTest.Dynamo run = new ServerProcessTest.Dynamo(env, jvm, deploy)) {
        assertEquals(ExitCodes.DEPLOY_FAILED, run.exit(), String.join("\n", run.seen));
      }
      // The SDK logs the failed activity with its stack trace (the file is written as it happens).
      long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (!Files.readString(file).contains("\tat io.temporal") && System.nanoTime() < end) Thread.sleep(100);
      assertTrue(Files.readString(file).contains("\tat io.temporal"), "the SDK's stack traces are in " + file);
      Thread.sleep(500); // anything the server would still print about the failure
      server.lines.drainTo(server.seen);
      String printed = String.join("\n", server.seen);
      assertFalse(printed.contains("\tat ") || printed.contains("WARN"), printed);
    }
  }

  @Test
  void debugAndLongRunningVerbsLogToStderrAndTheDirectoryKeepsTwentyRuns() throws Exception {
    assertTrue(LogSetup.toStderr(new String[] {"deploy", "list", "--debug"}));
    assertTrue(LogSetup.toStderr(new String[] {"worker", "--address", "x:1"}));
    assertFalse(LogSetup.toStderr(new String[] {"server", "--port", "7300"}), "a server logs to a file of its own");
    assertTrue(LogSetup.toStderr(new String[] {"--debug", "validate"}));
    assertFalse(LogSetup.toStderr(new String[] {"deploy", "status", "worker"}));
    // verbs that run no library set up nothing (a short verb's start-up; see LazyVerbsTest)
    assertFalse(LogSetup.runsLibraries(new String[] {"--debug", "validate", "-f", "deploy"}));
    assertFalse(LogSetup.runsLibraries(new String[] {"--help"}));
    assertTrue(LogSetup.runsLibraries(new String[] {"deploy", "--help"}));
    assertNull(LogSetup.configure(new String[] {"validate", "-f", "g.yaml"}, Map.of("XDG_STATE_HOME", "/nonexistent")));
    assertEquals(Path.of("/state/dynamo"), LogSetup.directory(Map.of("XDG_STATE_HOME", "/state")));
    assertEquals(Path.of(System.getProperty("user.home"), ".local/state/dynamo"), LogSetup.directory(Map.of()));
    assertNull(LogSetup.whereOnFailure(Files.createFile(dir.resolve("empty.log"))), "nothing logged: nothing said");
    Path infoOnly = Files.writeString(dir.resolve("info.log"),
        "675 INFO io.temporal.serviceclient.WorkflowServiceStubsImpl - shutdown\n");
    assertNull(LogSetup.whereOnFailure(infoOnly), "INFO lines only: a non-zero exit of a verb is no library's trouble");
    Path warned = Files.writeString(dir.resolve("warn.log"), "12 INFO a - x\n"
        + "2026-11-29 16:34:29 [main] WARN io.temporal.internal.Foo - Activity failure\n");
    assertEquals("(library logs of this run: " + warned + ")", LogSetup.whereOnFailure(warned));
    assertFalse(LogSetup.warnsOrWorse("5 INFO x - a message that says WARN or ERROR later"));
    assertTrue(LogSetup.warnsOrWorse("ERROR io.grpc - down"));

    Path logs = Files.createDirectories(dir.resolve("xdg/dynamo"));
    for (int i = 0; i < 30; i++) Files.writeString(logs.resolve(String.format("dynamo-20260101-0000%02d-1.log", i)), "x");
    Map<String, String> before = new java.util.HashMap<>();
    List<String> keys = List.of("org.slf4j.simpleLogger.logFile", "org.slf4j.simpleLogger.defaultLogLevel",
        "org.slf4j.simpleLogger.showDateTime");
    keys.forEach(k -> before.put(k, System.getProperty(k)));
    Path mine = LogSetup.configure(new String[] {"deploy", "list"}, Map.of("XDG_STATE_HOME", dir.resolve("xdg").toString()));
    try (Stream<Path> files = Files.list(logs)) {
      assertEquals(LogSetup.KEEP - 1, files.count(), "the newest 19 of earlier runs; this run's file comes when it logs");
    }
    assertTrue(mine.getParent().equals(logs) && mine.getFileName().toString().startsWith("dynamo-"), mine.toString());
    for (String k : keys) {
      if (before.get(k) == null) System.clearProperty(k);
      else System.setProperty(k, before.get(k));
    }
  }
}

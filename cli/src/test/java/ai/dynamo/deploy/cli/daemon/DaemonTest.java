package ai.dynamo.deploy.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.Main;
import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.ir.ExampleGraphs;
import ai.dynamo.deploy.testing.fake.FakeTarget;
import ai.dynamo.deploy.worker.DeployRegistration;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon end to end in this JVM: a real Unix socket, the real server and request runner, the client's
 * protocol side, against an in-process Temporal test server with a worker. What a command prints and returns
 * through the daemon must be what it prints and returns in a process of its own.
 */
class DaemonTest {
  private static final Duration BOUND = Duration.ofSeconds(60);

  static LocalService service;
  static String address;
  @TempDir static Path shared;

  @TempDir Path runDir;
  RunningDaemon daemon;
  Path socket;
  JarIdentity jar;
  StringWriter log;
  DaemonServer server;

  @BeforeAll
  static void startTemporal() throws Exception {
    Path state = Files.createDirectories(shared.resolve("fake-state"));
    // status's live check reads the target from the CLI, whose fake must see what the worker's ran
    System.setProperty(FakeTarget.STATE_DIR_PROPERTY, state.toString());
    service = LocalService.start(0, DeployRegistration.of(new FakeTarget(state)));
    address = service.connection().address();
    Path graph = Files.writeString(shared.resolve("demo.yaml"), ExampleGraphs.text(ExampleGraphs.DEMO));
    String[] deploy = {"deploy", "--target", "fake", "--set", "location=daemon", "-f", graph.toString(), "--wait",
        "--address", address};
    assertEquals(0, Main.run(deploy, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
  }

  @AfterAll
  static void stopTemporal() {
    service.shutdown(Duration.ofSeconds(5));
    System.clearProperty(FakeTarget.STATE_DIR_PROPERTY);
  }

  @BeforeEach
  void startDaemon() throws IOException {
    daemon = new RunningDaemon(runDir);
    socket = daemon.socket;
    jar = daemon.jar;
    log = daemon.log;
    server = daemon.server;
  }

  @AfterEach
  void stopDaemon() {
    daemon.close();
  }

  record Result(DaemonClient.Outcome outcome, String out, String err) {}

  Result viaDaemon(Map<String, String> env, String... args) {
    return viaDaemon(jar.encoded(), env, args);
  }

  Result viaDaemon(String jarIdentity, Map<String, String> env, String... args) {
    return viaDaemon(jarIdentity, false, env, args);
  }

  Result viaDaemon(String jarIdentity, boolean terminal, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Wire.Request request = new Wire.Request(Wire.RUN, jarIdentity, runDir.toString(), terminal, List.of(args), env);
    DaemonClient.Outcome outcome = assertTimeoutPreemptively(BOUND, () -> DaemonClient.send(socket, request, out, err));
    return new Result(outcome, out.toString(Charset.defaultCharset()), err.toString(Charset.defaultCharset()));
  }

  static Result inProcess(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(new DaemonClient.Outcome(code, true, null), out.toString(), err.toString());
  }

  private void assertSame(String... args) {
    Result here = inProcess(args);
    for (int round = 0; round < 2; round++) { // the second reuses the daemon's connection
      Result there = viaDaemon(Map.of(), args);
      assertTrue(there.outcome().ranThere(), there.outcome().why());
      assertEquals(here.outcome().exitCode(), there.outcome().exitCode(), there.err());
      assertEquals(timeless(here.out()), timeless(there.out()));
      assertEquals(here.err(), there.err());
    }
  }

  /** Output without the times of the live check, which differ from one call to the next. */
  private static String timeless(String out) {
    return out.replaceAll("\"checkedAt\" : \"[^\"]*\"", "\"checkedAt\" : T")
        .replaceAll("recorded (\\w+) [0-9a-z ]+ ago;", "recorded $1 T ago;");
  }

  @Test
  void statusOfADeployPrintsAndExitsAsInItsOwnProcess() {
    assertSame("deploy", "status", "demo", "--target", "fake", "--address", address);
    assertSame("deploy", "status", "demo", "--address", address, "-o", "json");
    // The live check runs in the daemon as in a process of its own: the CLI's fake target, built there, reads the
    // state the worker's fake left and finds revision 1 live.
    Result live = viaDaemon(Map.of(), "deploy", "status", "demo", "--address", address, "-o", "json");
    assertEquals(0, live.outcome().exitCode(), live.err());
    assertTrue(live.out().contains("\"state\" : \"READY\"") && live.out().contains("\"endpoint\" : \"fake@daemon\"")
        && live.out().contains("\"message\" : \"revision 1 is live"), live.out());
    assertSame("deploy", "status", "demo", "--address", address, "--recorded");
    Result r = viaDaemon(Map.of(), "deploy", "status", "demo", "--address", address, "--recorded");
    assertEquals(0, r.outcome().exitCode(), r.err());
    assertTrue(r.out().contains("deploy/fake/daemon/demo"), r.out());
  }

  @Test
  void anUnknownDeployAndAUsageErrorPrintAndExitAsInTheirOwnProcess() {
    assertSame("deploy", "status", "no-such-graph", "--address", address);
    assertEquals(2, inProcess("deploy", "status", "no-such-graph", "--address", address).outcome().exitCode());
    assertSame("deploy", "status", "--address", address);
    assertSame("deploy", "list", "--limit", "x");
    assertSame("deploy", "list", "--address", address);
  }

  @Test
  void theTemporalAddressComesFromTheClientsEnvironment() {
    // This JVM has no TEMPORAL_ADDRESS (it would be 127.0.0.1:7233, where nothing runs in tests): the client's wins.
    assertFalse(System.getenv().containsKey("TEMPORAL_ADDRESS"));
    Result r = viaDaemon(Map.of("TEMPORAL_ADDRESS", address), "deploy", "status", "demo");
    assertEquals(0, r.outcome().exitCode(), r.err());
    assertTrue(r.out().contains("deploy/fake/daemon/demo"), r.out());
  }

  @Test
  void relativeTlsFilesInTemporalTomlAreTheCallersFiles() throws IOException {
    // The caller runs in runDir; the daemon's own directory is elsewhere. The certificate named relative to the
    // caller does not exist there either: the error must name the caller's file, as in a process of its own.
    Path toml = Files.writeString(runDir.resolve("temporal.toml"), "[profile.default]\naddress = \"" + address
        + "\"\n[profile.default.tls]\nclient_cert_path = \"certs/client.pem\"\n"
        + "client_key_path = \"certs/client.key\"\n");
    Result r = viaDaemon(Map.of("TEMPORAL_CONFIG_FILE", toml.toString()), "deploy", "status", "demo");
    assertTrue(r.outcome().ranThere(), r.outcome().why());
    assertEquals(ai.dynamo.deploy.cli.ExitCodes.INVALID, r.outcome().exitCode(), r.err());
    assertTrue(r.err().contains("NoSuchFileException: " + runDir.resolve("certs/client.pem")), r.err());
    assertFalse(r.err().contains("dynamo server"), "a settings error, not a missing service: " + r.err());
  }

  @Test
  void whatACallerOnATerminalSeesGoesToItsOwnStreams() {
    // The spinner around connecting is cleared (and drawn, if connecting takes a while) on the caller's standard
    // error, not the daemon's.
    for (String verb : List.of("status", "history")) {
      Result r = viaDaemon(jar.encoded(), true, Map.of(), "deploy", verb, "demo", "--address", address);
      assertTrue(r.err().contains("\r\u001b[K"), verb + ": " + r.err()); // (the frames race the connection)
    }
    Result plain = viaDaemon(Map.of(), "deploy", "status", "demo", "--address", address);
    assertFalse(plain.err().contains("\u001b"), plain.err());
  }

  @Test
  void aSecretInTheClientsEnvironmentNeverReachesTheDaemonsLog() {
    String secret = "s3cret-value-7f1c9a";
    Map<String, String> env = new HashMap<>(Map.of("TEMPORAL_ADDRESS", address, "HF_TOKEN", secret));
    assertEquals(0, viaDaemon(env, "deploy", "status", "demo").outcome().exitCode());
    assertEquals(2, viaDaemon(env, "deploy", "status", "missing-" + secret).outcome().exitCode());
    assertFalse(viaDaemon("another build", env, "deploy", "status", "demo").outcome().ranThere());
    assertTimeoutPreemptively(BOUND, () -> server.awaitStop());
    assertTrue(log.toString().contains("another build connected"), log.toString());
    assertFalse(log.toString().contains(secret), log.toString());
    assertFalse(new Wire.Request(Wire.RUN, "j", "/", false, List.of(secret), env).toString().contains(secret));
  }

  @Test
  void aClientOfAnotherBuildRunsTheCommandItselfAndTheDaemonExits() {
    Result r = viaDaemon("/elsewhere/dynamo.jar|1|2", Map.of(), "deploy", "list", "--address", address);
    assertFalse(r.outcome().ranThere());
    assertEquals("", r.out() + r.err());
    assertTimeoutPreemptively(BOUND, () -> server.awaitStop());
    assertFalse(Files.exists(socket));
    // nothing answers any more: the next client runs its command itself too
    assertFalse(viaDaemon(Map.of(), "deploy", "list", "--address", address).outcome().ranThere());
  }

  /**
   * A caller whose ssh-agent is not the daemon's (a new login, a re-attached terminal): the SSH logins of a live check
   * would use the daemon's agent. The caller runs the command itself and the daemon gives way, so the next one
   * starts with the caller's agent. A caller with no agent, or the daemon's, is served.
   */
  @Test
  void aCallerWithAnotherSshAgentRunsTheCommandItselfAndTheDaemonGivesWay() throws Exception {
    daemon.close();
    try (DaemonRequests requests = new DaemonRequests("/run/user/1/agent-a.sock");
        DaemonServer agentA = DaemonServer.start(socket, jar, Duration.ofMinutes(10), Duration.ofMillis(50),
            requests, new PrintWriter(log, true))) {
      assertTrue(viaDaemon(Map.of("SSH_AUTH_SOCK", "/run/user/1/agent-a.sock"), "deploy", "list", "--address",
          address).outcome().ranThere(), "the daemon's own agent");
      assertTrue(viaDaemon(Map.of(), "deploy", "list", "--address", address).outcome().ranThere(), "no agent");
      Result other = viaDaemon(Map.of("SSH_AUTH_SOCK", "/tmp/ssh-XYZ/agent.42"), "deploy", "list", "--address",
          address);
      assertFalse(other.outcome().ranThere());
      assertEquals("", other.out() + other.err(), "nothing written: the caller runs it");
      String why = assertTimeoutPreemptively(BOUND, () -> agentA.awaitStop());
      assertTrue(why.contains("another ssh-agent"), why);
      assertFalse(Files.exists(socket));
    }
  }

  /** An encrypted key's passphrase from the caller's environment: the daemon keeps none, so the caller runs it. */
  @Test
  void aCallerWithAnSshKeyPassphraseRunsTheCommandItself() {
    String secret = "passphrase-5d2e";
    Map<String, String> env = Map.of("DYNAMO_SSH_KEY_PASSPHRASE", secret);
    assertFalse(DaemonRoute.routes(new String[] {"deploy", "list", "--address", address}, env),
        "the thin client runs it in its own JVM, without asking the daemon");
    // A request that reaches the daemon all the same (a hand-made one) is refused there, never run.
    Result r = viaDaemon(env, "deploy", "list", "--address", address);
    assertEquals(2, r.outcome().exitCode());
    assertTrue(r.err().contains("DYNAMO_SSH_KEY_PASSPHRASE in the environment"), r.err());
    assertEquals("", r.out());
    assertFalse(server.isStopped(), "the daemon stays for the next caller");
    assertFalse(log.toString().contains(secret), log.toString());
  }

  @Test
  void theDaemonExitsWhenItsJarIsRebuilt() throws Exception {
    Files.writeString(jar.path(), "build 2, longer");
    String why = assertTimeoutPreemptively(BOUND, () -> server.awaitStop());
    assertTrue(why.contains("changed on disk"), why);
  }

  @Test
  void anIdleDaemonExits() throws Exception {
    server = daemon.restart(Duration.ofMillis(200));
    String why = assertTimeoutPreemptively(BOUND, () -> server.awaitStop());
    assertTrue(why.startsWith("idle"), why);
    assertFalse(Files.exists(socket));
  }

  @Test
  void aSocketDirectoryOpenToOthersOrNotADirectoryIsRefused() throws IOException {
    Path open = Files.createDirectory(runDir.resolve("open"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    StringBuilder problem = new StringBuilder();
    assertTrue(SocketDirectory.open(open, problem).isEmpty());
    assertTrue(problem.toString().contains("rwxr-xr-x"), problem.toString());
    Path file = Files.writeString(runDir.resolve("file"), "");
    assertTrue(SocketDirectory.open(file, new StringBuilder()).isEmpty());
    // and a routed command then runs in its own process
    Map<String, String> env = Map.of("XDG_RUNTIME_DIR", runDir.toString());
    Files.createDirectory(runDir.resolve("dynamo"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
    Files.setPosixFilePermissions(runDir.resolve("dynamo"), PosixFilePermissions.fromString("rwxrwxrwx"));
    assertTrue(ThinClient.directoryFor(new String[] {"deploy", "status", "x"}, env, "/nonexistent").isEmpty());
    Files.setPosixFilePermissions(runDir.resolve("dynamo"), PosixFilePermissions.fromString("rwx------"));
    assertTrue(ThinClient.directoryFor(new String[] {"deploy", "status", "x"}, env, "/nonexistent").isPresent());
  }
}

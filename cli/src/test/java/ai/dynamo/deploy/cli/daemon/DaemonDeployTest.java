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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deploy's start through the daemon ({@code dynamo deploy -f FILE [--wait]}), against an in-process Temporal test
 * server with the fake target's worker: the same output and exit code as in a process of its own, the caller's
 * directory for a relative graph file, no embedded service inside the daemon, and Ctrl-C during {@code --wait}.
 */
class DaemonDeployTest {
  private static final Duration BOUND = Duration.ofSeconds(90);

  static LocalService service;
  static String address;
  @TempDir static Path shared;

  @TempDir Path runDir;
  RunningDaemon daemon;

  @BeforeAll
  static void startTemporal() throws IOException {
    service = LocalService.start(0, DeployRegistration.of(new FakeTarget(Files.createDirectories(shared.resolve("s")))));
    address = service.connection().address();
  }

  @AfterAll
  static void stopTemporal() {
    service.shutdown(Duration.ofSeconds(5));
  }

  @BeforeEach
  void startDaemon() throws IOException {
    daemon = new RunningDaemon(runDir);
    Files.writeString(runDir.resolve("demo.yaml"), ExampleGraphs.text(ExampleGraphs.DEMO));
  }

  @AfterEach
  void stopDaemon() {
    daemon.close();
  }

  record Result(int exitCode, String out, String err) {}

  private DaemonClient.Outcome viaDaemon(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
    return viaDaemon(Map.of(), out, err, args);
  }

  private DaemonClient.Outcome viaDaemon(Map<String, String> env, ByteArrayOutputStream out, ByteArrayOutputStream err,
      String... args) {
    Wire.Request request =
        new Wire.Request(Wire.RUN, daemon.jar.encoded(), runDir.toString(), false, List.of(args), env);
    return assertTimeoutPreemptively(BOUND, () -> DaemonClient.send(daemon.socket, request, out, err));
  }

  private Result viaDaemon(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    DaemonClient.Outcome outcome = viaDaemon(out, err, args);
    assertTrue(outcome.ranThere(), outcome.why());
    return new Result(outcome.exitCode(), out.toString(Charset.defaultCharset()), err.toString(Charset.defaultCharset()));
  }

  private static Result inProcess(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  private static String[] deploy(String location, String file, String... more) {
    List<String> args = new ArrayList<>(List.of("deploy", "--target", "fake", "--set", "location=" + location, "-f",
        file, "--address", address));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** One deploy's output with its place and run ID taken out: two deploys differ in nothing else. */
  private static String general(String text, String location) {
    return text.replace(location, "LOCATION").replaceAll("\\(run [0-9a-f-]+\\)", "(run R)");
  }

  @Test
  void aDeployWithWaitPrintsAndExitsAsInItsOwnProcess() {
    String graph = runDir.resolve("demo.yaml").toString();
    for (String[] more : List.of(new String[] {"--wait"}, new String[] {})) {
      String suffix = more.length == 0 ? "-nowait" : "-wait";
      Result here = inProcess(deploy("here" + suffix, graph, more));
      Result there = viaDaemon(deploy("there" + suffix, graph, more));
      assertEquals(0, here.exitCode(), here.err());
      assertEquals(here.exitCode(), there.exitCode(), there.err());
      assertSameOutput(here, "here" + suffix, there, "there" + suffix);
      assertTrue(there.out().contains("Started deploy"), there.out());
    }
    // status --wait follows with the same code
    Result followedHere = inProcess("deploy", "status", "deploy/fake/here-wait/demo", "--wait", "--address", address);
    Result followedThere = viaDaemon("deploy", "status", "deploy/fake/there-wait/demo", "--wait", "--address", address);
    assertEquals(0, followedHere.exitCode(), followedHere.err());
    assertEquals(0, followedThere.exitCode(), followedThere.err());
    assertSameOutput(followedHere, "here-wait", followedThere, "there-wait");
    // A failing deploy: the same exit code and message on the same stream.
    String[] failing = {"--set", "fake.failComponent=frontend", "--wait"};
    Result here = inProcess(deploy("here-fail", graph, failing));
    Result there = viaDaemon(deploy("there-fail", graph, failing));
    assertEquals(1, here.exitCode(), here.out() + here.err());
    assertEquals(here.exitCode(), there.exitCode());
    assertSameOutput(here, "here-fail", there, "there-fail");
    assertTrue(there.err().contains("ROLLED_BACK"), there.err());
  }

  /**
   * The same output, bar the states the live view happened to poll on the way (two runs in the same process differ
   * there too): the same first line, the same final state and summary, the same standard error.
   */
  private static void assertSameOutput(Result here, String hereLocation, Result there, String thereLocation) {
    String a = general(here.out(), hereLocation);
    String b = general(there.out(), thereLocation);
    assertEquals(a.lines().findFirst(), b.lines().findFirst());
    assertEquals(a.substring(a.lastIndexOf("deploy demo -> ") + 1), b.substring(b.lastIndexOf("deploy demo -> ") + 1));
    assertEquals(a.lines().count() > 1, b.lines().count() > 1);
    assertEquals(general(here.err(), hereLocation), general(there.err(), thereLocation));
  }

  @Test
  void aRelativeGraphFileIsTheCallersFile() {
    // runDir is the caller's directory; the daemon's (this JVM's) has no demo.yaml.
    assertFalse(Files.exists(Path.of("demo.yaml").toAbsolutePath()));
    Result there = viaDaemon(deploy("relative", "demo.yaml"));
    assertEquals(0, there.exitCode(), there.err());
    assertTrue(there.out().startsWith("Started deploy "), there.out());
    Result missing = viaDaemon(deploy("relative", "nothing-here.yaml"));
    assertEquals(2, missing.exitCode());
    assertTrue(missing.err().contains(runDir.resolve("nothing-here.yaml").toString()), missing.err());
  }

  @Test
  void aDeploysArgumentsAndEnvironmentNeverReachTheDaemonsLog() {
    String secret = "s3cret-deploy-4e2b";
    Map<String, String> env = Map.of("TEMPORAL_ADDRESS", address, "HF_TOKEN", secret);
    String[] started = {"deploy", "--target", "fake", "--set", "location=secret", "--set", "fake.failMessage=" + secret,
        "-f", "demo.yaml", "--wait"};
    String[] missing = {"deploy", "--target", "fake", "-f", secret + ".yaml", "--wait"};
    String[] handedBack = {"deploy", "--target", "fake", "-f", secret + ".yaml"}; // no address: handed back
    for (String[] args : List.of(started, missing, handedBack)) {
      viaDaemon(args == handedBack ? Map.of("HF_TOKEN", secret) : env, new ByteArrayOutputStream(),
          new ByteArrayOutputStream(), args);
    }
    assertEquals(2, viaDaemon(env, new ByteArrayOutputStream(), new ByteArrayOutputStream(), missing).exitCode());
    assertFalse(daemon.log.toString().contains(secret), daemon.log.toString());
  }

  @Test
  void aDeployThatWouldEmbedAServiceIsHandedBackBeforeItWritesAnything() {
    // No --address, no TEMPORAL_ADDRESS: in its own process this deploy embeds a service, since nothing answers on
    // 127.0.0.1:7233 in tests. The daemon must not: it hands the command back and stays.
    assertFalse(System.getenv().containsKey("TEMPORAL_ADDRESS"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    DaemonClient.Outcome outcome = viaDaemon(out, err, "deploy", "--target", "fake", "-f", "demo.yaml", "--wait");
    assertFalse(outcome.ranThere());
    assertTrue(outcome.handedBack(), outcome.why());
    assertTrue(outcome.why().contains("127.0.0.1:7233"), outcome.why());
    assertEquals("", out.toString(Charset.defaultCharset()) + err.toString(Charset.defaultCharset()));
    assertFalse(daemon.server.isStopped());
    assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("dynamo-embedded-start")));
    // and the daemon serves the next command
    assertEquals(0, viaDaemon(deploy("after-hand-back", "demo.yaml")).exitCode());
  }

  /** Following: the live view has printed after the start line. */
  private static boolean following(String out) {
    return out.contains("Started deploy") && out.lines().count() > 1;
  }

  @Test
  void ctrlCDuringWaitPrintsTheDetachLineAndExitsAsAJvmOnSigint() throws Exception {
    String[] args = deploy("interrupted", "demo.yaml", "--set", "fake.neverReady=frontend", "--wait");
    Interrupts.Ended ended = assertTimeoutPreemptively(BOUND,
        () -> Interrupts.overSocket(daemon, runDir, List.of(args), DaemonDeployTest::following));
    assertEquals(RequestThread.INTERRUPTED_EXIT, ended.exitCode(), ended.out());
    String workflowId = ended.out().split("Started deploy ")[1].split(" ")[0];
    assertTrue(ended.out().endsWith(System.lineSeparator() + "Detached; the deploy keeps running. Re-attach:"
        + " dynamo deploy status " + workflowId + " --wait" + System.lineSeparator()), ended.out());
  }

  @Test
  void theThinClientOnCtrlCShowsWhatAProcessOfItsOwnShows() throws Exception {
    // The same deploy, interrupted with SIGINT, once through the thin client and the daemon, once in a JVM of its
    // own (DYNAMO_DAEMON=off): the same last line and exit code.
    SocketDirectory dir = SocketDirectory.open(runDir.resolve("xdg").resolve("dynamo"), new StringBuilder())
        .orElseThrow();
    JarIdentity thisJar = JarIdentity.ofThisProcess();
    try (DaemonRequests real = new DaemonRequests(); DaemonServer served = DaemonServer.start(dir.socket(thisJar.path()),
        thisJar, Duration.ofMinutes(10), Duration.ofSeconds(1), real, new PrintWriter(new StringWriter(), true))) {
      Interrupts.Ended viaDaemon = interruptThinClient("sigint-daemon", false);
      Interrupts.Ended own = interruptThinClient("sigint-own", true);
      assertEquals(RequestThread.INTERRUPTED_EXIT, own.exitCode(), own.out());
      assertEquals(own.exitCode(), viaDaemon.exitCode(), viaDaemon.out());
      assertEquals(general(own.lastLine(), "sigint-own"), general(viaDaemon.lastLine(), "sigint-daemon"));
      assertTrue(viaDaemon.lastLine().startsWith("Detached; the deploy keeps running."), viaDaemon.out());
    }
  }

  private Interrupts.Ended interruptThinClient(String location, boolean ownProcess) throws Exception {
    return Interrupts.thinClient(runDir, location, ownProcess, BOUND, DaemonDeployTest::following,
        List.of("deploy", "--target", "fake", "--set", "location=" + location, "--set", "fake.neverReady=frontend",
            "-f", "demo.yaml", "--wait", "--address", address));
  }
}

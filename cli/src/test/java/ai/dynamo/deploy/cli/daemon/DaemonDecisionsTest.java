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
 * The verbs that decide or remove through Temporal ({@code cancel}, {@code retry}, {@code rollback}, {@code abort},
 * {@code uninstall}) and {@code diff}, through the daemon against an in-process Temporal test server with the fake
 * target's worker: the same output and exit code as in a process of their own (each acting on a deploy of its own,
 * one place "here", one "there"), the caller's Ctrl-C during {@code --wait}, and what goes back to the caller.
 */
class DaemonDecisionsTest {
  private static final Duration BOUND = Duration.ofSeconds(120);
  private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  static LocalService service;
  static String address;
  static Path state;
  static Path graph;
  @TempDir static Path shared;

  @TempDir Path runDir;
  RunningDaemon daemon;

  @BeforeAll
  static void startTemporal() throws IOException {
    state = Files.createDirectories(shared.resolve("fake-state"));
    service = LocalService.start(0, DeployRegistration.of(new FakeTarget(state)));
    address = service.connection().address();
    graph = Files.writeString(shared.resolve("demo.yaml"), ExampleGraphs.text(ExampleGraphs.DEMO));
  }

  @AfterAll
  static void stopTemporal() {
    service.shutdown(Duration.ofSeconds(5));
  }

  @BeforeEach
  void startDaemon() throws IOException {
    daemon = new RunningDaemon(runDir);
  }

  @AfterEach
  void stopDaemon() {
    daemon.close();
  }

  record Result(int exitCode, String out, String err) {
    /** Without the place and the run IDs: two deploys' outputs differ in nothing else. */
    Result general(String location) {
      return new Result(exitCode, generalText(out, location), generalText(err, location));
    }
  }

  private static String generalText(String text, String location) {
    return text.replace(location, "LOCATION").replaceAll(UUID, "RUN");
  }

  private Result viaDaemon(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    DaemonClient.Outcome outcome = send(env, out, err, args);
    assertTrue(outcome.ranThere(), outcome.why());
    Charset charset = Charset.defaultCharset();
    return new Result(outcome.exitCode(), out.toString(charset), err.toString(charset));
  }

  private DaemonClient.Outcome send(Map<String, String> env, ByteArrayOutputStream out, ByteArrayOutputStream err,
      String... args) {
    Wire.Request request =
        new Wire.Request(Wire.RUN, daemon.jar.encoded(), runDir.toString(), false, List.of(args), env);
    return assertTimeoutPreemptively(BOUND, () -> DaemonClient.send(daemon.socket, request, out, err));
  }

  private static Result inProcess(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  private static String[] at(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--address", address));
    return all.toArray(String[]::new);
  }

  /** The same command line in this process and twice through the daemon (the second on a kept connection). */
  private void assertSameEverywhere(String... args) {
    Result here = inProcess(args);
    for (int round = 0; round < 2; round++) assertEquals(here, viaDaemon(Map.of(), args), String.join(" ", args));
  }

  /** A deploy of the demo graph at {@code location}, run in this process; returns its exit code. */
  private static int deployed(String location, String... more) {
    List<String> args = new ArrayList<>(List.of("deploy", "--target", "fake", "--set", "location=" + location, "-f",
        graph.toString()));
    args.addAll(List.of(more));
    Result r = inProcess(at(args.toArray(String[]::new)));
    return r.exitCode();
  }

  private static String id(String location) {
    return "deploy/fake/" + location + "/demo";
  }

  @Test
  void unknownDeploysAndUsageErrorsPrintAndExitAsInTheirOwnProcess() {
    for (String verb : List.of("cancel", "retry", "rollback", "abort", "uninstall")) {
      assertEquals(2, inProcess(at("deploy", verb, "no-such-graph")).exitCode(), verb);
      assertSameEverywhere(at("deploy", verb, "no-such-graph"));
      assertSameEverywhere(at("deploy", verb)); // NAME missing
      assertSameEverywhere(at("deploy", verb, "demo", "--no-such-flag"));
    }
    assertSameEverywhere(at("deploy", "rollback", "demo", "--to-revision", "-1"));
    assertSameEverywhere(at("deploy", "uninstall", "no-such-graph", "--wait", "--keep-history"));
    assertSameEverywhere(at("deploy", "diff", "-f", runDir.resolve("missing.yaml").toString()));
    assertSameEverywhere(at("deploy", "diff"));
  }

  @Test
  void decisionsAndDiffPrintAndExitAsInTheirOwnProcess() {
    for (String place : List.of("here", "there")) {
      String fails = "fake.failComponent=frontend";
      for (String what : List.of("abort", "retry", "rollback")) {
        assertEquals(1, deployed(place + "-" + what, "--set", fails, "--on-failure", "pause", "--pause-timeout", "2h",
            "--wait"));
      }
      assertEquals(0, deployed(place + "-cancel", "--set", "fake.neverReady=frontend"));
      assertEquals(0, deployed(place + "-ready", "--wait"));
      new FakeTarget(state).fix(place + "-retry", "demo", "frontend");
    }
    List<List<String>> lines = List.of(List.of("abort"), List.of("abort"), List.of("retry", "--wait"),
        List.of("rollback", "--wait"), List.of("cancel"), List.of("diff"), List.of("uninstall", "--wait"),
        List.of("uninstall"));
    for (List<String> line : lines) {
      String verb = line.get(0);
      String suffix = verb.equals("uninstall") ? "ready" : verb.equals("diff") ? "ready" : verb;
      Result here = inProcess(command(line, "here-" + suffix)).general("here-" + suffix);
      Result there = viaDaemon(Map.of(), command(line, "there-" + suffix)).general("there-" + suffix);
      if (line.contains("--wait")) assertSameFollow(here, there);
      else assertEquals(here, there, String.join(" ", line));
    }
  }

  private static String[] command(List<String> line, String location) {
    if (line.get(0).equals("diff")) {
      return at("deploy", "diff", "-f", graph.toString(), "--target", "fake", "--set", "location=" + location);
    }
    List<String> args = new ArrayList<>(List.of("deploy", line.get(0), id(location)));
    args.addAll(line.subList(1, line.size()));
    return at(args.toArray(String[]::new));
  }

  /**
   * A follow's output, bar the states the live view happened to poll on the way: the same first line, the same
   * final state and summary, the same standard error and exit code.
   */
  private static void assertSameFollow(Result here, Result there) {
    assertEquals(here.exitCode(), there.exitCode(), here + " / " + there);
    assertEquals(here.out().lines().findFirst(), there.out().lines().findFirst());
    List<String> a = here.out().lines().toList();
    List<String> b = there.out().lines().toList();
    assertEquals(a.get(a.size() - 1), b.get(b.size() - 1));
    assertEquals(here.err(), there.err());
  }

  /** A retry --wait whose follow is still on a minute later: frontend failed, was fixed, is ready after 60 s. */
  private static List<String> slowRetry(String location) {
    assertEquals(1, deployed(location, "--set", "fake.failComponent=frontend", "--set",
        "fake.readyAfterSeconds.frontend=60", "--on-failure", "pause", "--pause-timeout", "2h", "--wait"));
    new FakeTarget(state).fix(location, "demo", "frontend");
    return List.of(at("deploy", "retry", id(location), "--wait"));
  }

  /**
   * The live view's first block printed to its last component: the follow has begun and prints nothing more while
   * frontend is not ready (a block still being printed could go on after the detach line, in the daemon as in a
   * JVM whose main thread runs on while its shutdown hooks do).
   */
  private static boolean following(String out) {
    return out.contains("  sglang_group: ");
  }

  @Test
  void ctrlCDuringRetryWaitPrintsTheDetachLineAndExitsAsAJvmOnSigint() {
    List<String> retry = slowRetry("interrupted");
    Interrupts.Ended ended = assertTimeoutPreemptively(BOUND,
        () -> Interrupts.overSocket(daemon, runDir, retry, DaemonDecisionsTest::following));
    assertEquals(RequestThread.INTERRUPTED_EXIT, ended.exitCode(), ended.out());
    assertTrue(ended.out().endsWith(System.lineSeparator() + "Detached; the deploy keeps running. Re-attach:"
        + " dynamo deploy status " + id("interrupted") + " --wait" + System.lineSeparator()), ended.out());
    // the retried run goes on in Temporal
    assertEquals(0, inProcess(at("deploy", "cancel", id("interrupted"))).exitCode());
  }

  @Test
  void theThinClientOnCtrlCDuringRetryWaitShowsWhatAProcessOfItsOwnShows() throws Exception {
    // The same retry --wait, interrupted with SIGINT, once through the thin client and the daemon, once in a JVM of
    // its own (DYNAMO_DAEMON=off): the same last line and exit code.
    List<String> viaDaemonRetry = slowRetry("sigint-daemon");
    List<String> ownRetry = slowRetry("sigint-own");
    SocketDirectory dir = SocketDirectory.open(runDir.resolve("xdg").resolve("dynamo"), new StringBuilder())
        .orElseThrow();
    JarIdentity thisJar = JarIdentity.ofThisProcess();
    try (DaemonRequests real = new DaemonRequests(); DaemonServer served = DaemonServer.start(dir.socket(thisJar.path()),
        thisJar, Duration.ofMinutes(10), Duration.ofSeconds(1), real, new PrintWriter(new StringWriter(), true))) {
      Interrupts.Ended viaDaemon = Interrupts.thinClient(runDir, "sigint-daemon", false, BOUND,
          DaemonDecisionsTest::following, viaDaemonRetry);
      Interrupts.Ended own = Interrupts.thinClient(runDir, "sigint-own", true, BOUND, DaemonDecisionsTest::following,
          ownRetry);
      assertEquals(RequestThread.INTERRUPTED_EXIT, own.exitCode(), own.out());
      assertEquals(own.exitCode(), viaDaemon.exitCode(), viaDaemon.out());
      assertEquals(generalText(own.lastLine(), "sigint-own"), generalText(viaDaemon.lastLine(), "sigint-daemon"));
      assertTrue(viaDaemon.lastLine().startsWith("Detached; the deploy keeps running."), viaDaemon.out());
    }
    for (String location : List.of("sigint-daemon", "sigint-own")) inProcess(at("deploy", "cancel", id(location)));
  }

  @Test
  void whatWouldEmbedAServiceOrReadARelativeSshConfigGoesBackBeforeItWritesAnything() throws IOException {
    // No address anywhere (nothing answers on 127.0.0.1:7233 in tests): diff embeds a service in its own process.
    assertFalse(System.getenv().containsKey("TEMPORAL_ADDRESS"));
    String[] embeds = {"deploy", "diff", "-f", graph.toString(), "--target", "fake"};
    // The ssh config the flags name is read by the CLI, relative to the caller's directory.
    String[] relative = at("deploy", "uninstall", "demo", "--target", "slurm", "--ssh-host", "login1", "--ssh-config",
        "ssh/config");
    Files.writeString(runDir.resolve("profile.yaml"), "slurm:\n  sshHost: login1\n  sshConfig: ssh/config\n");
    String[] inProfile = at("deploy", "cancel", "demo", "--target", "slurm", "--profile", "profile.yaml");
    for (String[] args : List.of(embeds, relative, inProfile)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      DaemonClient.Outcome outcome = send(Map.of(), out, err, args);
      assertFalse(outcome.ranThere(), String.join(" ", args));
      assertTrue(outcome.handedBack(), outcome.why());
      assertEquals("", out.toString(Charset.defaultCharset()) + err.toString(Charset.defaultCharset()));
    }
    assertFalse(daemon.server.isStopped());
  }

  @Test
  void aSecretInTheClientsEnvironmentOrArgumentsNeverReachesTheDaemonsLog() {
    String secret = "s3cret-decision-91d3";
    Map<String, String> env = Map.of("TEMPORAL_ADDRESS", address, "HF_TOKEN", secret);
    assertEquals(0, deployed("secret", "--wait"));
    List<String[]> lines = List.of(new String[] {"deploy", "uninstall", "missing-" + secret, "--wait"},
        new String[] {"deploy", "retry", "missing-" + secret}, new String[] {"deploy", "cancel", id("secret")},
        new String[] {"deploy", "diff", "-f", secret + ".yaml"},
        new String[] {"deploy", "uninstall", id("secret"), "--wait"});
    List<Integer> codes = new ArrayList<>();
    for (String[] args : lines) codes.add(viaDaemon(env, args).exitCode());
    assertEquals(List.of(2, 2, 2, 2, 0), codes); // cancel: a READY deploy runs no more
    assertFalse(daemon.log.toString().contains(secret), daemon.log.toString());
  }
}

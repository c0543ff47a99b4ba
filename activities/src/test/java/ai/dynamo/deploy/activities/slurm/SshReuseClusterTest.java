package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logins kept across deploy runs (SshConnectionPool through SlurmSession, as the activities use it) against the local
 * cluster's real sshd: reused by a new run when nothing changed; a fresh login when known_hosts, the identity or the
 * connection itself changed, with the errors a fresh login gives; per run only when reuse is off. Each test uses key
 * and known_hosts files of its own, so its logins have keys no other test shares.
 */
class SshReuseClusterTest {
  private static final Pattern PID = Pattern.compile("pid=(\\d+)");

  @TempDir Path tmp;
  ClusterFixture fx;
  Graph graph;
  Path key;
  Path knownHosts;
  final List<Long> stopped = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    fx = new ClusterFixture("reuse");
    graph = fx.graph("version: 1\nname: reuse-" + UUID.randomUUID().toString().substring(0, 6) + "\ncomponents:\n"
        + "  - name: web\n    cmd: [python3, x.py]\n    run_config: {input: http, output: dyn}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n");
    key = copy(fx.endpoint.identityFiles().get(0), tmp.resolve("id_ed25519"));
    knownHosts = copy(fx.knownHosts(), tmp.resolve("known_hosts"));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (long pid : stopped) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    fx.close();
  }

  private static Path copy(Path from, Path to) throws IOException {
    Files.copy(from, to);
    return to;
  }

  /** A deploy run's context: a new run ID each time, this test's key and known_hosts files. */
  private DeployContext run(Path identity, Path hosts) {
    Map<String, String> settings = new TreeMap<>(fx.settings());
    settings.put(SlurmSettings.SSH_HOST, fx.endpoint.user() + "@" + fx.endpoint.hostName() + ":" + fx.endpoint.port());
    settings.put(SlurmSettings.SSH_KEY, identity.toString());
    settings.put(SlurmSettings.KNOWN_HOSTS, hosts.toString());
    settings.put(SlurmSettings.SSH_CONFIG, "/dev/null");
    DeployRequest request =
        DeployRequest.of(graph, new TargetSpec("slurm", "test", settings), DeployOptions.defaults("test"));
    return new DeployContext(request, "deploy/slurm/test/" + graph.name(), UUID.randomUUID().toString());
  }

  /** The connection a step of this run gets, after running a command on it (it must work). */
  private static SshConnection connectionOf(DeployContext ctx) {
    return SlurmSession.guard(ctx, s -> {
      assertEquals("ok", s.ssh().run("echo ok", RemoteShell.Retry.SAFE).stdout().strip());
      return s.ssh();
    });
  }

  @Test
  void aNewRunReusesTheLoginWhenNothingChanged() {
    SshConnection first = connectionOf(run(key, knownHosts));
    int port = first.localPortForTest();
    SshConnection second = connectionOf(run(key, knownHosts));
    assertSame(first, second, "a second run of the same login takes the kept connection");
    assertEquals(port, second.localPortForTest(), "the same TCP connection: no new login");
  }

  @Test
  void aRemovedOrChangedHostKeyMeansAFreshLoginAndTheHostKeyError() throws Exception {
    SshConnection first = connectionOf(run(key, knownHosts));
    List<String> lines = Files.readAllLines(knownHosts);

    Files.writeString(knownHosts, "");
    TargetFailure removed = assertThrows(TargetFailure.class, () -> connectionOf(run(key, knownHosts)));
    assertEquals(DeployFailures.UNKNOWN_HOST_KEY, removed.type());
    assertTrue(removed.getMessage().contains("is not in " + knownHosts), removed.getMessage());

    // Another key recorded for the host (a user's public key will do as a wrong host key).
    String host = lines.get(0).split("\\s+")[0];
    String other = Files.readString(Path.of(fx.cluster.setting("DYNAMO_SLURM_SSH_PROTECTED_KEY") + ".pub")).strip();
    String[] f = other.split("\\s+");
    Files.writeString(knownHosts, host + " " + f[0] + " " + f[1] + "\n");
    TargetFailure changed = assertThrows(TargetFailure.class, () -> connectionOf(run(key, knownHosts)));
    assertEquals(DeployFailures.UNKNOWN_HOST_KEY, changed.type());
    assertTrue(changed.getMessage().contains("has CHANGED"), changed.getMessage());

    Files.write(knownHosts, lines); // the same keys again (a new modification time: a fresh login, which passes)
    assertNotSame(first, connectionOf(run(key, knownHosts)));
  }

  @Test
  void theHostKeyIsCheckedAgainAgainstKnownHostsAsItIsNow() throws Exception {
    try (SshConnection ssh = new SshConnection(fx.endpoint, ClusterFixture.options(knownHosts, false))) {
      ssh.open();
      assertNull(ssh.reusableForNewRun(Duration.ofSeconds(2)));
      List<String> lines = Files.readAllLines(knownHosts);
      Files.writeString(knownHosts, "# emptied\n");
      String why = ssh.reusableForNewRun(Duration.ofSeconds(2));
      assertNotNull(why, "a host key no longer in known_hosts must not be trusted again");
      assertTrue(why.contains("no longer trusted"), why);
      Files.write(knownHosts, lines);
      assertNull(ssh.reusableForNewRun(Duration.ofSeconds(2)));
    }
  }

  @Test
  void anotherOrChangedIdentityMeansAFreshLogin() throws Exception {
    SshConnection first = connectionOf(run(key, knownHosts));
    Path sameKeyElsewhere = copy(key, tmp.resolve("id_copy"));
    SshConnection second = connectionOf(run(sameKeyElsewhere, knownHosts));
    assertNotSame(first, second, "another identity file: another login");

    // The first file now holds a key the server does not accept: only a fresh login can tell, and it must.
    Files.delete(key);
    Process gen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
        .redirectErrorStream(true).start();
    assertEquals(0, gen.waitFor());
    TargetFailure refused = assertThrows(TargetFailure.class, () -> connectionOf(run(key, knownHosts)));
    assertEquals(DeployFailures.AUTHENTICATION_REFUSED, refused.type());
  }

  @Test
  void aKilledServerSideMeansAFreshLoginAndTheStepStillSucceeds() throws Exception {
    SshConnection first = connectionOf(run(key, knownHosts));
    List<Long> server = serverProcesses(first.localPortForTest());
    for (long pid : server) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    SshConnection second = connectionOf(run(key, knownHosts));
    assertNotSame(first, second);
    assertTrue(new SlurmTarget().preflight(run(key, knownHosts)).isEmpty(), "the next run's preflight passes");
  }

  @Test
  void aServerThatStoppedAnsweringMeansAFreshLogin() throws Exception {
    SshConnection first = connectionOf(run(key, knownHosts));
    List<Long> server = serverProcesses(first.localPortForTest());
    for (long pid : server) signal("STOP", pid);
    stopped.addAll(server);
    // The TCP connection stays up and sshj sees nothing wrong: only the keepalive round trip can tell.
    SshConnection second = connectionOf(run(key, knownHosts));
    assertNotSame(first, second, "a connection whose server does not answer is not reused");
  }

  @Test
  void withReuseAcrossRunsOffEachRunLogsIn() throws Exception {
    SshEndpoint endpoint = new SshEndpoint("local", fx.endpoint.hostName(), fx.endpoint.port(), fx.endpoint.user(),
        List.of(key));
    SshOptions options = ClusterFixture.options(knownHosts, false);
    String login = SshLoginKey.of(endpoint, options);
    SshConnectionPool perRun = new SshConnectionPool(new SshPoolSettings(false, Duration.ofSeconds(30)));
    SshConnectionPool across = new SshConnectionPool(new SshPoolSettings(true, Duration.ofSeconds(30)));
    List<SshConnection> opened = new ArrayList<>();
    try {
      for (SshConnectionPool pool : List.of(perRun, across)) {
        SshConnection a = pool.borrow(login, "run-a", () -> track(opened, new SshConnection(endpoint, options)));
        a.open();
        pool.giveBack(login, "run-a", a);
        SshConnection b = pool.borrow(login, "run-b", () -> track(opened, new SshConnection(endpoint, options)));
        if (pool == perRun) {
          assertNotSame(a, b, "reuse off: another run logs in afresh");
          assertSame(a, pool.borrow(login, "run-a", () -> track(opened, new SshConnection(endpoint, options))),
              "reuse off still keeps a connection for the run that opened it");
        } else {
          assertSame(a, b, "reuse on: another run takes the kept connection");
        }
      }
      assertEquals(3, opened.size());
    } finally {
      opened.forEach(SshConnection::close);
    }
  }

  private static SshConnection track(List<SshConnection> opened, SshConnection c) {
    opened.add(c);
    return c;
  }

  /** The sshd processes serving the connection from this local port (found with ss; this test runs as root). */
  private List<Long> serverProcesses(int clientPort) throws Exception {
    assertTrue(clientPort > 0);
    Process ss = new ProcessBuilder("ss", "-tnpH", "state", "established", "( dport = :" + clientPort + " )")
        .redirectErrorStream(true).start();
    String out = new String(ss.getInputStream().readAllBytes());
    assertEquals(0, ss.waitFor(), out);
    List<Long> pids = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.contains(":" + fx.endpoint.port() + " ")) continue;
      Matcher m = PID.matcher(line);
      while (m.find()) pids.add(Long.parseLong(m.group(1)));
    }
    assertFalse(pids.isEmpty(), "no sshd process found for port " + clientPort + ": " + out);
    for (long pid : pids) {
      String cmd = ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElse("");
      assertTrue(cmd.endsWith("sshd"), "pid " + pid + " is not an sshd: " + cmd);
    }
    return pids;
  }

  private static void signal(String sig, long pid) throws Exception {
    assertEquals(0, new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor());
  }

  /**
   * A deploy's Validate starts its login ({@link SlurmSession#prepare}) and its preflight takes that connection: one
   * login; with the run's connection kept, nothing more is started. Settings that name no login start nothing.
   */
  @Test
  void theLoginStartedAheadServesTheRunsFirstStep() {
    DeployContext ctx = run(key, knownHosts);
    assertTrue(SlurmSession.prepare(ctx));
    SshConnection first = connectionOf(ctx);
    assertEquals(1, first.loginsForTest());
    assertFalse(SlurmSession.prepare(ctx), "the run keeps a connection");
    assertSame(first, connectionOf(ctx));
    assertEquals(1, first.loginsForTest());
    Map<String, String> noHost = new TreeMap<>(ctx.settings());
    noHost.remove(SlurmSettings.SSH_HOST);
    DeployRequest request = DeployRequest.of(graph, new TargetSpec("slurm", "test", noHost), DeployOptions.defaults("t"));
    assertFalse(SlurmSession.prepare(new DeployContext(request, "deploy/slurm/test/x", "r")));
  }
}

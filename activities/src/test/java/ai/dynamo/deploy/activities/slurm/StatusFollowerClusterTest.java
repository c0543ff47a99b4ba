package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.testing.FreePorts;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The status follower against the real local cluster: the remote tail over one channel, lines written while the
 * connection is down arrive once after the reconnect, files that appear later are followed (the first with no header
 * from tail), a job that dies
 * without writing is noticed through squeue, and closing the follower ends the remote tail.
 */
class StatusFollowerClusterTest {
  ClusterFixture fx;
  String dir;
  StatusFollower follower;

  @BeforeEach
  void setUp() throws IOException {
    fx = new ClusterFixture("follower");
    dir = fx.ssh.home() + "/" + fx.remoteDir + "/g";
    fx.ssh.mkdirs(dir + "/rev-1/a-0", 0700);
  }

  @AfterEach
  void tearDown() throws IOException {
    if (follower != null) follower.close();
    if (fx != null) fx.close();
  }

  private StatusFollower start(Duration squeueEvery) {
    SshConnection own = new SshConnection(fx.endpoint, ClusterFixture.options(fx.knownHosts(), false));
    follower = new StatusFollower(own, dir, List.of("rev-1/a-0/status", "rev-1/b-0/status"), squeueEvery).start();
    return follower;
  }

  private void append(String file, String jobId, String state) throws IOException {
    RemoteShell.Result r = fx.ssh.run("printf '%s %s %s\\n' \"$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)\" " + jobId + " "
        + Shell.quote(state) + " >>" + Shell.quote(dir + "/" + file), RemoteShell.Retry.UNSAFE);
    assertTrue(r.ok(), r.stderr());
  }

  private StatusFollower.Snapshot await(Predicate<StatusFollower.Snapshot> until, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    StatusFollower.Snapshot s = follower.snapshot();
    while (!until.test(s) && System.nanoTime() < deadline) s = follower.awaitChange(s.version(), Duration.ofMillis(200));
    assertTrue(until.test(s), "not reached within " + max + ": " + s);
    return s;
  }

  @Test
  void linesArriveOnceAcrossReconnectsAndFromFilesThatAppearLater() throws Exception {
    // Neither file exists when the follower starts (nor b-0's directory): the follower creates both, empty, so
    // tail follows them with inotify instead of polling every 0.1 s.
    start(Duration.ofSeconds(10));
    await(x -> x.connects() == 1, Duration.ofSeconds(10));
    // connects counts the channel opening; the remote command creates the files just after, so wait for them.
    String sizes = "";
    for (long end = System.nanoTime() + Duration.ofSeconds(10).toNanos(); System.nanoTime() < end; Thread.sleep(100)) {
      sizes = fx.ssh.run("stat -c %s " + Shell.quote(dir + "/rev-1/a-0/status") + " "
          + Shell.quote(dir + "/rev-1/b-0/status") + " 2>/dev/null | tr '\\n' ' '", RemoteShell.Retry.SAFE)
          .stdout().strip();
      if (sizes.equals("0 0")) break;
    }
    assertEquals("0 0", sizes, "both status files exist, empty");
    // The tail process itself (not its shell or timeout) holds an inotify descriptor.
    String quoted = Shell.quote(fx.remoteDir + "/g/rev-1/a-0/status");
    assertEquals("1", fx.ssh.run("for p in $(pgrep -x tail); do grep -qF " + quoted + " /proc/$p/cmdline"
        + " && ls -l /proc/$p/fd | grep -c inotify; done", RemoteShell.Retry.SAFE).stdout().strip(),
        "tail watches with inotify");
    append("rev-1/a-0/status", "901", "started");
    StatusFollower.Snapshot s = await(x -> x.report("901").started(), Duration.ofSeconds(10));
    append("rev-1/a-0/status", "901", "ready");
    s = await(x -> x.report("901").ready(), Duration.ofSeconds(5));

    // b-0's first line comes after the follower started.
    append("rev-1/b-0/status", "902", "started");
    append("rev-1/b-0/status", "902", "ready");
    s = await(x -> x.report("902").ready(), Duration.ofSeconds(10));
    assertEquals(4, s.lines());
    assertEquals(1, s.connects());

    // The connection drops and stays down while both files get lines: the channel misses them.
    follower.holdReconnectsForTest(true);
    follower.connectionForTest().dropForTest();
    await(x -> x.problem() != null, Duration.ofSeconds(10));
    append("rev-1/a-0/status", "901", "unready");
    append("rev-1/b-0/status", "902", "exited 1");
    Thread.sleep(1000);
    assertTrue(follower.snapshot().report("901").ready(), "nothing arrives while the connection is down");

    follower.holdReconnectsForTest(false);
    s = await(x -> x.report("902").ended(), Duration.ofSeconds(15));
    assertFalse(s.report("901").ready(), "the missed unready arrived");
    assertEquals(1, s.report("902").exitStatus());
    assertEquals(6, s.lines(), "the restarted tail re-reads both files; each line is handed out once");
    assertTrue(s.connects() >= 2, "reconnected: " + s.connects());

    // Closing the follower ends the remote tail (its stdin closes with the channel).
    String marker = fx.remoteDir + "/g/rev-1/a-0/status";
    assertFalse(tails(marker).isEmpty(), "the remote tail runs while the follower does");
    follower.close();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String left;
    do {
      Thread.sleep(300);
      left = tails(marker);
    } while (!left.isEmpty() && System.nanoTime() < deadline);
    assertEquals("", left, "the remote tail is gone");
  }

  /** PIDs of remote tails following {@code marker}; "[t]ail" does not match this command's own shell. */
  private String tails(String marker) throws IOException {
    return fx.ssh.run("pgrep -f -- " + Shell.quote("[t]ail -F .*" + marker) + " || true", RemoteShell.Retry.SAFE)
        .stdout().strip();
  }

  @Test
  void aJobThatDiesWithoutWritingIsNoticedThroughSqueue() throws Exception {
    Graph g = fx.graph("version: 1\nname: silent\ncomponents:\n  - name: a\n    cmd: [sleep, '300']\n"
        + "    run_config: {input: http, output: dyn}\n    parameters: {port: " + FreePorts.take() + "}\n");
    RemoteShell.Result sub = fx.ssh.run("cd " + Shell.quote(dir) + " && sbatch --parsable --job-name=silent.a.0"
        + " --partition=" + fx.cluster.partition() + " --output=/dev/null --wrap='sleep 300'", RemoteShell.Retry.UNSAFE);
    assertTrue(sub.ok(), sub.stderr());
    String id = sub.stdout().strip().split(";")[0];
    try {
      start(Duration.ofSeconds(2));
      follower.watch(List.of(id));
      await(x -> x.squeued().containsKey(id) && x.squeued().get(id).state() == SlurmJobState.RUNNING,
          Duration.ofSeconds(20));
      // Killed outright: the job writes nothing.
      new SlurmClient(fx.ssh).kill(List.of(id));
      StatusFollower.Snapshot s = await(x -> x.squeued().get(id).state().ended(), Duration.ofSeconds(20));
      assertNull(s.report(id).lastLine(), "the job wrote nothing");
      RemoteLayout layout = fx.layout(g);
      SlurmError e = assertThrows(SlurmError.class, () -> new ReadinessCheck(new SlurmClient(fx.ssh))
          .evaluate(g.components().get(0), SlurmStage.ALL, 1, layout, Map.of(0, id), s));
      assertEquals(SlurmError.Kind.JOB_FAILED, e.kind());
      assertTrue(e.getMessage().contains("job " + id), e.getMessage());
    } finally {
      new SlurmClient(fx.ssh).kill(List.of(id));
    }
  }
}

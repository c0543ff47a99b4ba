package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.testing.FreePorts;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.ReadinessHeartbeat;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RollbackRequest;
import ai.dynamo.deploy.workflows.Stage;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * SlurmTarget's steps called directly (as retried activities would call them), without Temporal: apply twice is one
 * job, record twice cancels the previous revision once and keeps the state, rollback twice leaves the live revision.
 */
class SlurmTargetClusterTest {

  /** A watch that records reports and sleeps for real. */
  static final class RecordingWatch implements ReadinessWatch {
    final List<String> reports = new ArrayList<>();

    @Override
    public Optional<ReadinessHeartbeat> resumedFrom() {
      return Optional.empty();
    }

    @Override
    public void report(int ready, int desired, String message, String resumeToken) {
      reports.add(ready + "/" + desired + " " + message + " [" + resumeToken + "]");
    }

    @Override
    public void pause(Duration duration) {
      try {
        Thread.sleep(duration.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void stepsAreIdempotentAndUpdatesAreBlueGreen() throws Exception {
    try (ClusterFixture fx = new ClusterFixture("target")) {
      String name = "tgt-" + UUID.randomUUID().toString().substring(0, 8);
      SlurmTarget target = new SlurmTarget(new WorkerSecretSource(Map.of(), null), Duration.ofMillis(300),
          Duration.ofSeconds(1), Duration.ofSeconds(20));
      String wf = "deploy/slurm/test/" + name;

      Graph v1 = graph(fx, name, FreePorts.take());
      DeployContext c1 = context(fx, v1, wf);
      assertEquals(0, target.currentRevision(c1));
      assertEquals(List.of(), target.preflight(c1));
      Component web1 = v1.components().get(0);
      ReadyState applied = target.apply(c1, 1, web1, Stage.ALL);
      ReadyState again = target.apply(c1, 1, web1, Stage.ALL);
      // The apply's one command checks first: the job runs this spec, so nothing is written or submitted again.
      assertEquals("already running as revision 1: checked, not re-applied", again.message());
      assertEquals(1, fx.jobsOf(v1).size());
      RecordingWatch watch = new RecordingWatch();
      assertEquals(new ReadyState(1, 1, "ready"), target.awaitReady(c1, 1, web1, Stage.ALL, watch));
      assertTrue(watch.reports.get(watch.reports.size() - 1).contains("[0="), watch.reports.toString());
      target.recordRevision(c1, record(1, wf, c1));
      assertEquals(1, target.currentRevision(c1));
      String rev1Job = applied.message().replaceAll("\\D+", " ").strip().split(" ")[0];
      // A first install has nothing to adopt: its record comes from its own job-id files (no squeue asked).
      DeployState.ComponentRecord first = new DeployStateStore(fx.ssh, fx.layout(v1)).read(name).current()
          .components().get("web");
      assertEquals(new DeployState.ComponentRecord(first.digest(), 1, Map.of("web-0", rev1Job)), first);

      Graph v2 = fx.register(graph(fx, name, FreePorts.take()));
      DeployContext c2 = context(fx, v2, wf);
      target.apply(c2, 2, v2.components().get(0), Stage.ALL);
      target.awaitReady(c2, 2, v2.components().get(0), Stage.ALL, new RecordingWatch());
      assertEquals(SlurmJobState.RUNNING, state(fx, rev1Job), "the old revision runs until the new one is recorded");
      target.recordRevision(c2, record(2, wf, c2));
      target.recordRevision(c2, record(2, wf, c2)); // a retried record
      assertTrue(state(fx, rev1Job).ended(), "blue/green: revision 1 cancelled");
      DeployState st = new DeployStateStore(fx.ssh, fx.layout(v2)).read(name);
      assertEquals(2, st.currentRevision());
      assertEquals(2, st.history().size());

      // Revision 3 fails after its job was submitted: rollback (twice) removes it; revision 2 keeps running.
      Graph v3 = fx.register(graph(fx, name, FreePorts.take()));
      DeployContext c3 = context(fx, v3, wf);
      target.apply(c3, 3, v3.components().get(0), Stage.ALL);
      RollbackRequest rb = new RollbackRequest(3, 2, List.of("web"), "test failure");
      assertEquals("cancelled 1 job(s) of revision 3; revision 2 keeps running", target.rollback(c3, rb, new RecordingWatch()));
      assertEquals("cancelled 0 job(s) of revision 3; revision 2 keeps running", target.rollback(c3, rb, new RecordingWatch()));
      long liveRev2 = fx.jobsOf(v2).stream().filter(j -> !j.state().ended())
          .filter(j -> JobIdentity.parse(j.comment()).revision() == 2).count();
      long liveRev3 = fx.jobsOf(v3).stream().filter(j -> !j.state().ended())
          .filter(j -> JobIdentity.parse(j.comment()).revision() == 3).count();
      assertEquals(1, liveRev2);
      assertEquals(0, liveRev3);
      st = new DeployStateStore(fx.ssh, fx.layout(v3)).read(name);
      assertEquals(2, st.currentRevision());
      assertEquals(DeployState.Status.ROLLED_BACK, st.entry(3).status());
    }
  }

  private static SlurmJobState state(ClusterFixture fx, String job) throws IOException {
    return new SlurmClient(fx.ssh).jobsById(List.of(job)).get(0).state();
  }

  private static Graph graph(ClusterFixture fx, String name, int port) throws IOException {
    return fx.graph("version: 1\nname: " + name + "\ncomponents:\n  - name: web\n    cmd: [python3, "
        + fx.standinPath() + "]\n    run_config: {input: http, output: dyn}\n    parameters: {port: " + port + "}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n");
  }

  /** A context of a new run of deploy {@code wf} of {@code g} on the fixture's cluster (as an activity gets). */
  static DeployContext context(ClusterFixture fx, Graph g, String wf) {
    Map<String, String> settings = fx.targetSettings();
    DeployRequest request = DeployRequest.of(g, new TargetSpec("slurm", "test", settings), DeployOptions.defaults("test"));
    return new DeployContext(request, wf, UUID.randomUUID().toString());
  }

  private static RevisionRecord record(int revision, String wf, DeployContext ctx) {
    return new RevisionRecord(revision, ctx.request().specDigest(), "test", wf, ctx.runId(), System.currentTimeMillis());
  }
}

package ai.dynamo.deploy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.TestGraphs;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.Eventually;
import ai.dynamo.deploy.testing.fake.FakeDeploys;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A deploy paused for a decision holds its place: what is refused meanwhile (a rollback to a revision, another spec,
 * an uninstall) says it is paused, not running, and which commands free the place.
 */
@Timeout(120)
class PausedDeployRefusalsTest {
  static final String WF = OperatingRolloutsTest.WF;

  @RegisterExtension final DeployEnvironment env = DeployEnvironment.withFakeTarget().withSearchAttributes();

  @Test
  void aRollbackToARevisionOfAPausedDeploySaysItIsPausedAndWhatToDo() throws Exception {
    DeployResult first = DeployOutcomes.await(DeployStarter.startOrAttach(env.client(),
        FakeDeploys.request(TestGraphs.small(), Map.of()), OperatingRolloutsTest.ATTRIBUTES).stub(env.client()));
    assertEquals(Phase.READY, first.phase(), first.message());
    WorkflowStub paused = DeployStarter.startOrAttach(env.client(), OperatingRolloutsTest.failingFrontEnd(null),
        OperatingRolloutsTest.ATTRIBUTES).stub(env.client());
    Eventually.within(Duration.ofSeconds(60),
        () -> paused.query("progress", DeployProgress.class).phase() == Phase.PAUSED);

    DeployConflictException refused = assertThrows(DeployConflictException.class, () -> DeployDecisions.rollback(
        env.client(), WF, OperatingRolloutsTest.LAB, 1, DeployOptions.defaults("tester")));
    String m = refused.getMessage();
    assertTrue(refused.paused());
    assertTrue(m.startsWith("a deploy of dynamo-graph is paused, waiting for a decision (" + WF + ", run "
        + paused.getExecution().getRunId() + ", revision 2: "), m);
    assertTrue(m.contains("http_ingress"), "why it paused: " + m);
    assertFalse(m.contains("is running"), m);
    assertTrue(m.contains("`dynamo deploy retry " + WF + "` re-runs what failed, `dynamo deploy rollback " + WF
        + "` rolls it back now, `dynamo deploy abort " + WF + "`"), m);
    assertTrue(m.endsWith("then run this command again"), m);

    DeployRefusedException uninstall = assertThrows(DeployRefusedException.class, () -> DeployUninstall.start(
        env.client(), "dynamo-graph", OperatingRolloutsTest.LAB, false, "tester", OperatingRolloutsTest.ATTRIBUTES));
    assertTrue(uninstall.getMessage().startsWith("a deploy of dynamo-graph is paused, waiting for a decision ("),
        uninstall.getMessage());
    assertTrue(uninstall.getMessage().contains("or `dynamo deploy cancel " + WF + "` (it rolls back)"),
        uninstall.getMessage());

    DeployDecisions.decide(env.client(), WF, "abort");
    assertEquals(Phase.FAILED, DeployOutcomes.await(paused).phase());
  }

  @Test
  void aDifferentSpecWhileOneRunsSaysItRunsWithItsPhase() throws Exception {
    WorkflowStub slow = DeployStarter.startOrAttach(env.client(), FakeDeploys.request(TestGraphs.small(),
        Map.of("fake.readyAfterSeconds", "30")), OperatingRolloutsTest.ATTRIBUTES).stub(env.client());
    Eventually.within(Duration.ofSeconds(60),
        () -> slow.query("progress", DeployProgress.class).phase() == Phase.WAITING);
    DeployConflictException refused = assertThrows(DeployConflictException.class, () -> DeployStarter.startOrAttach(
        env.client(), FakeDeploys.request(TestGraphs.small(), Map.of()), OperatingRolloutsTest.ATTRIBUTES));
    assertFalse(refused.paused());
    assertTrue(refused.getMessage().startsWith("a deploy of dynamo-graph is running (" + WF + ", run "
        + slow.getExecution().getRunId() + ", phase WAITING), with a different spec than this one; wait for it with"
        + " `dynamo deploy status " + WF + " --wait` or cancel it with `dynamo deploy cancel " + WF + "`"),
        refused.getMessage());
    slow.cancel();
  }
}

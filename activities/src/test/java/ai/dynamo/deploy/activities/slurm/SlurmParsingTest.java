package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.workflows.DeployFailures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Slurm's output, the state table, job identities, the state file's transitions and the failure mapping. */
class SlurmParsingTest {

  @Test
  void everyStateHasItsMeaning() {
    assertEquals(SlurmJobState.Category.WAITING, SlurmJobState.parse("PENDING").category());
    assertEquals(SlurmJobState.Category.RUNNING, SlurmJobState.parse("RUNNING").category());
    assertEquals(SlurmJobState.Category.ENDING, SlurmJobState.parse("COMPLETING").category());
    assertEquals(SlurmJobState.Category.COMPLETED, SlurmJobState.parse("COMPLETED").category());
    for (String failed : List.of("FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY",
        "BOOT_FAIL", "DEADLINE")) {
      assertEquals(SlurmJobState.Category.FAILED, SlurmJobState.parse(failed).category(), failed);
      assertTrue(SlurmJobState.parse(failed).ended());
    }
    assertEquals(SlurmJobState.CANCELLED, SlurmJobState.parse("CANCELLED by 1001"));
    assertEquals(SlurmJobState.CANCELLED, SlurmJobState.parse("CANCELLED+"));
    assertEquals(SlurmJobState.UNKNOWN, SlurmJobState.parse("SOMETHING_NEW"));
    assertFalse(SlurmJobState.UNKNOWN.ended(), "an unknown state is waited on, not treated as an end");
  }

  @Test
  void squeueLinesKeepTheCommentWhole() {
    List<SlurmJob> jobs = SlurmClient.parseSqueue("""
        181|g.web.0|RUNNING|node1|None|dynamo-deploy rev=2 wf=deploy/slurm/h/g run=abc
        182|g.grp.0|PENDING||Resources|(null)
        """);
    assertEquals(2, jobs.size());
    assertEquals("dynamo-deploy rev=2 wf=deploy/slurm/h/g run=abc", jobs.get(0).comment());
    assertEquals(SlurmJobState.PENDING, jobs.get(1).state());
    assertEquals("job 182 (g.grp.0) is PENDING (Resources)", jobs.get(1).describe());
  }

  @Test
  void sacctFindsTheAllocationLineOfTheJobAndMapsItsState() {
    String out = """
        4711|g.web.0|CANCELLED by 1000|node[1-2]|None|dynamo-deploy rev=3 wf=deploy/slurm/h/g run=r
        4711.batch|batch|CANCELLED||None|
        """;
    SlurmJob job = SlurmClient.parseSacct("4711", out).orElseThrow();
    assertEquals(SlurmJobState.CANCELLED, job.state());
    assertEquals("g.web.0", job.name());
    assertEquals("node[1-2]", job.nodes());
    assertEquals("dynamo-deploy rev=3 wf=deploy/slurm/h/g run=r", job.comment());
    assertEquals("job 4711 (g.web.0) is CANCELLED by 1000 on node[1-2]", job.describe());
    assertTrue(SlurmClient.parseSacct("4712", out).isEmpty(), "another job's lines are not this job");
    assertTrue(SlurmClient.parseSacct("4711", "").isEmpty(), "no record: forgotten");
  }

  @Test
  void scontrolFieldsWithSpacesInValues() {
    Map<String, String> f = ScontrolFields.parse("JobId=179 JobName=tst.x.0 JobState=CANCELLED Reason=None "
        + "NodeList=node[1-2] Comment=dynamo-deploy rev=1 wf=a/b run=c StdOut=/home/d/j-179.out");
    assertEquals("CANCELLED", f.get("JobState"));
    assertEquals("node[1-2]", f.get("NodeList"));
    assertEquals("dynamo-deploy rev=1 wf=a/b run=c", f.get("Comment"));
    assertEquals("/home/d/j-179.out", f.get("StdOut"));
  }

  @Test
  void jobIdentityRoundTripsAndMatchesSameDeployAndRevision() {
    JobIdentity id = new JobIdentity(3, "deploy/slurm/login 1/g|x", "run-1");
    assertEquals("dynamo-deploy rev=3 wf=deploy/slurm/login_1/g_x run=run-1", id.comment());
    JobIdentity parsed = JobIdentity.parse(id.comment());
    assertEquals(id, parsed);
    assertTrue(id.sameRevision(new JobIdentity(3, "deploy/slurm/login 1/g|x", "another-run")));
    assertFalse(id.sameRevision(new JobIdentity(2, "deploy/slurm/login 1/g|x", "run-1")));
    assertFalse(id.sameRevision(new JobIdentity(3, "deploy/slurm/other/g", "run-1")));
    assertNull(JobIdentity.parse("(null)"));
    assertNull(JobIdentity.parse("somebody else's comment"));
  }

  @Test
  void stateFileTransitions() {
    DeployState s = DeployState.empty("g");
    DeployState.Entry r1 = entry(1, DeployState.Status.READY);
    s = s.withReady(r1);
    s = s.withFailed(entry(2, DeployState.Status.ROLLED_BACK));
    assertEquals(1, s.currentRevision());
    assertEquals(1, s.lastRevision(), "a rolled-back number is reused");
    s = s.withReady(entry(2, DeployState.Status.READY));
    assertEquals(2, s.currentRevision());
    assertEquals(DeployState.Status.SUPERSEDED, s.entry(1).status());
    assertEquals(DeployState.Status.READY, s.entry(2).status());
    assertEquals(2, s.history().size(), "the rolled-back attempt at revision 2 is replaced by the ready one");

    s = s.withUninstalled("uninstalled by op@ws", 42);
    assertEquals(0, s.currentRevision(), "nothing is live after an uninstall");
    assertEquals(2, s.lastRevision(), "but the next deploy numbers on");
    assertEquals(DeployState.Status.UNINSTALLED, s.entry(2).status());
    assertEquals("uninstalled by op@ws", s.entry(2).note());
    assertEquals(DeployState.Status.SUPERSEDED, s.entry(1).status());
    s = s.withReady(entry(3, DeployState.Status.READY));
    assertEquals(DeployState.Status.UNINSTALLED, s.entry(2).status(), "stays uninstalled");
  }

  @Test
  void slurmErrorsMapToTheEnginesFailureTypes() {
    assertEquals(DeployFailures.UNKNOWN_HOST_KEY, map(SlurmError.Kind.UNKNOWN_HOST_KEY).type());
    assertEquals(DeployFailures.UNKNOWN_HOST_KEY, map(SlurmError.Kind.CHANGED_HOST_KEY).type());
    assertEquals(DeployFailures.AUTHENTICATION_REFUSED, map(SlurmError.Kind.AUTHENTICATION_REFUSED).type());
    assertEquals(DeployFailures.COMPONENT_FAILED, map(SlurmError.Kind.JOB_FAILED).type());
    assertEquals(DeployFailures.PREFLIGHT_FAILED, map(SlurmError.Kind.SECRET_MISSING).type());
    assertTrue(map(SlurmError.Kind.UNKNOWN_HOST_KEY).nonRetryable());
    assertFalse(map(SlurmError.Kind.UNREACHABLE).nonRetryable());
    assertFalse(map(SlurmError.Kind.COMMAND_FAILED).nonRetryable());
    assertEquals(DeployFailures.QUOTA_EXCEEDED, SlurmSession.failure(new SlurmError(SlurmError.Kind.SUBMIT_REFUSED,
        "sbatch refused: Job violates accounting/QOS policy (job submit limit)")).type());
  }

  @Test
  void settingsProblems() {
    assertTrue(SlurmSettings.problems(Map.of()).get(0).contains("--ssh-host"));
    assertEquals(List.of(), SlurmSettings.problems(Map.of("sshHost", "me@login:22")));
    assertTrue(SlurmSettings.problems(Map.of("sshHost", "login", "acceptNewHostKey", "yes")).get(0)
        .contains("true or false"));
    assertEquals(List.of("setting heldStarts must be true or false, not \"no\""),
        SlurmSettings.problems(Map.of("sshHost", "login", "heldStarts", "no")));
  }

  @Test
  void heldStartsAreOnUnlessTheSettingSaysFalse() {
    assertTrue(SlurmSettings.heldStarts(Map.of()));
    assertTrue(SlurmSettings.heldStarts(Map.of("heldStarts", "true")));
    assertFalse(SlurmSettings.heldStarts(Map.of("heldStarts", "false")));
  }

  private static TargetFailure map(SlurmError.Kind kind) {
    return SlurmSession.failure(new SlurmError(kind, "x"));
  }

  private static DeployState.Entry entry(int rev, DeployState.Status status) {
    return new DeployState.Entry(rev, status, Map.of("web-0", String.valueOf(100 + rev)), "d", "wf", "run", "me", 0L, "");
  }
}

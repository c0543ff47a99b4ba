package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.slurm.RemoteShell;
import ai.dynamo.deploy.activities.slurm.SecretSource;
import ai.dynamo.deploy.activities.slurm.SlurmTarget;
import ai.dynamo.deploy.activities.slurm.SshConnection;
import ai.dynamo.deploy.testing.FreePorts;
import ai.dynamo.deploy.testing.slurm.LocalSlurm;
import ai.dynamo.deploy.testing.slurm.LocalSlurmCluster;
import ai.dynamo.deploy.worker.DeployRegistration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operating a Slurm deploy by name through {@link Main} on the real local cluster: found by graph name alone, the
 * output of a multi-node group's worker rank and its leader, {@code logs -f} following, then uninstall (jobs gone,
 * the secret files gone, state.json saying so) and list and history showing it. A secret value never shows.
 */
@Timeout(300)
@ExtendWith(LocalSlurm.class)
class SlurmOperateCliTest {
  private static final String SECRET = "ops-secret-" + System.nanoTime();

  @TempDir Path dir;
  private SlurmCliSession slurm;
  private SshConnection ssh;
  private String remoteDir;
  private String name;
  // The frontend's and the group leader's: every node of the local cluster is on this one host, shared with other runs.
  private int frontendPort;
  private int leaderPort;

  @BeforeEach
  void setUp(LocalSlurmCluster cluster) throws Exception {
    SecretSource secrets = new SecretSource() {
      @Override
      public Optional<byte[]> value(String secret) {
        return secret.equals("OPS_TOKEN") ? Optional.of(SECRET.getBytes(StandardCharsets.UTF_8)) : Optional.empty();
      }

      @Override
      public Optional<Map<String, byte[]>> whole(String secret) {
        return Optional.empty();
      }
    };
    slurm = new SlurmCliSession(cluster, dir, "ops", DeployRegistration.of(
        new SlurmTarget(secrets, Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(5))));
    ssh = slurm.ssh;
    remoteDir = slurm.remoteDir;
    name = "ops-" + System.nanoTime();
    int[] ports = FreePorts.take(2); // fixed for the test: a deploy again must find the graph unchanged
    frontendPort = ports[0];
    leaderPort = ports[1];
  }

  @AfterEach
  void tearDown() throws Exception {
    slurm.close();
  }

  private CliRun dynamo(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--address", slurm.service.connection().address()));
    return CliRun.of(all.toArray(String[]::new));
  }

  private Path graph() throws Exception {
    return slurm.graph(name, String.join("\n",
        slurm.frontend(frontendPort),
        "    environment:",
        "      OPS_TOKEN: \"${{ secrets.OPS_TOKEN }}\"",
        "  - name: group",
        "    cmd: [python3, " + slurm.standin + "]",
        "    run_config:",
        "      input: dyn://ops.large.generate",
        "      output: echo",
        "      num_nodes: 2",
        "      leader_addr: \"127.0.0.1:" + leaderPort + "\"",
        "    resources: {cpu: 1, memory: 128Mi}"));
  }

  @Test
  void byNameLogsOfEachRankFollowThenUninstallAndItShows() throws Exception {
    CliRun deployed = slurm.deploy(graph(), slurm.directLogin(slurm.knownHosts()));
    assertEquals(ExitCodes.OK, deployed.exitCode(), deployed.out() + deployed.err());

    CliRun status = dynamo("deploy", "status", name, "-o", "json");
    assertEquals(ExitCodes.OK, status.exitCode(), status.err());
    assertEquals("READY", new ObjectMapper().readTree(status.out()).get("phase").asText());

    // The memo keeps every setting (--partition, --time, the key's path), never the secret's value; by name, diff
    // and a deploy again use them: the unchanged file is unchanged, no job is replaced.
    String workflowId = new ObjectMapper().readTree(status.out()).get("workflowId").asText();
    var memo = slurm.service.client().newUntypedWorkflowStub(workflowId).describe();
    Map<?, ?> settings = (Map<?, ?>) memo.getMemo("settings", Map.class);
    assertEquals(List.of("00:05:00", slurm.key().toString()), List.of(settings.get("time"), settings.get("sshKey")),
        settings.toString());
    assertTrue(settings.containsKey("partition"), settings.toString());
    assertFalse(memo.getWorkflowExecutionInfo().getMemo().toString().contains(SECRET), "no secret value in the memo");
    CliRun diff = dynamo("deploy", "diff", "-f", graph().toString());
    assertEquals(ExitCodes.OK, diff.exitCode(), diff.out() + diff.err());
    assertTrue(diff.out().contains("(live revision 1): 2 unchanged"), diff.out());
    assertTrue(diff.err().contains("time=00:05:00"), diff.err());
    CliRun again = dynamo("deploy", "-f", graph().toString(), "--wait");
    assertEquals(ExitCodes.OK, again.exitCode(), again.out() + again.err());
    assertTrue(again.out().contains("unchanged: revision 1 is live and healthy"), again.out());

    CliRun worker = dynamo("deploy", "logs", name, "group", "--rank", "1");
    assertEquals(ExitCodes.OK, worker.exitCode(), worker.err());
    assertTrue(worker.out().contains("worker rank 1: leader ") && worker.out().contains(" answered"), worker.out());
    assertFalse(worker.out().contains("started rank 0"), "rank 1's own output only: " + worker.out());
    CliRun leader = dynamo("deploy", "logs", name, "group");
    assertTrue(leader.out().contains("started rank 0 of 2") && leader.out().contains("workers started (ranks 1..1"),
        leader.out());
    CliRun missing = dynamo("deploy", "logs", name, "group", "--rank", "2");
    assertEquals(ExitCodes.INVALID, missing.exitCode(), missing.err());
    assertTrue(missing.err().contains("does not exist (the group has fewer ranks"), missing.err());
    CliRun last = dynamo("deploy", "logs", name, "frontend", "--tail", "1");
    assertEquals(1, last.out().lines().count(), last.out());

    String output = ssh.run("ls " + ssh.home() + "/" + remoteDir + "/" + name + "/rev-1/frontend-0/slurm-*.out",
        RemoteShell.Retry.SAFE).stdout().strip();
    AtomicReference<CliRun> followed = new AtomicReference<>();
    Thread follow = new Thread(() -> followed.set(dynamo("deploy", "logs", name, "frontend", "-f")));
    follow.start();
    String marker = "follow-marker-" + System.nanoTime();
    for (int i = 0; i < 50 && follow.isAlive(); i++) {
      ssh.run("echo " + marker + " >> " + output, RemoteShell.Retry.SAFE);
      Thread.sleep(200);
    }
    follow.interrupt();
    follow.join(20_000);
    assertFalse(follow.isAlive(), "following ends when interrupted");
    assertTrue(followed.get().out().contains(marker), "lines appended after it started: " + followed.get().out());
    assertEquals(ExitCodes.OK, followed.get().exitCode(), followed.get().err());

    String secretsDir = ssh.home() + "/" + remoteDir + "/" + name + "/secrets";
    assertTrue(ssh.run("test -d " + secretsDir, RemoteShell.Retry.SAFE).ok(), "the deploy wrote its secret files");
    CliRun uninstall = dynamo("deploy", "uninstall", name, "--wait");
    assertEquals(ExitCodes.OK, uninstall.exitCode(), uninstall.out() + uninstall.err());
    assertTrue(uninstall.out().contains("UNINSTALLED: " + name + " uninstalled from slurm@"), uninstall.out());
    assertEquals("", ssh.run("squeue --noheader --name=" + name + ".frontend.0," + name + ".group.0",
        RemoteShell.Retry.SAFE).stdout().strip(), "no job left");
    assertFalse(ssh.run("test -e " + secretsDir, RemoteShell.Retry.SAFE).ok(), "the secret files are gone");

    JsonNode rows = new ObjectMapper().readTree(dynamo("deploy", "list", "-o", "json").out());
    JsonNode row = null;
    for (JsonNode r : rows) {
      if (row == null && r.get("graph").asText().equals(name)) row = r; // newest first
    }
    assertEquals("UNINSTALLED", row.get("phase").asText(), rows.toString());
    CliRun history = dynamo("deploy", "history", name);
    assertTrue(history.out().lines().anyMatch(l -> l.matches("1 .* UNINSTALLED .* uninstalled by .*")),
        history.out() + history.err());

    for (CliRun r : List.of(deployed, status, diff, again, worker, leader, last, followed.get(), uninstall, history)) {
      assertFalse((r.out() + r.err()).contains(SECRET), "no secret value in any output");
    }
  }
}

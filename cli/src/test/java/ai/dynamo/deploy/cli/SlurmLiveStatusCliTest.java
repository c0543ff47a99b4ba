package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.slurm.RemoteShell;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphLoader;
import ai.dynamo.deploy.ir.Target;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import ai.dynamo.deploy.testing.FreePorts;
import ai.dynamo.deploy.testing.slurm.LocalSlurm;
import ai.dynamo.deploy.testing.slurm.LocalSlurmCluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dynamo deploy status} on the real local Slurm cluster: a deploy reaches READY, then its front end's job is
 * cancelled by its ID (as an admin's {@code scancel} would), and status shows the recorded READY beside the live
 * answer naming the job and its state, exit 1; {@code --recorded} shows the recorded state alone, exit 0.
 */
@Timeout(300)
@ExtendWith(LocalSlurm.class)
class SlurmLiveStatusCliTest {
  @TempDir Path dir;
  private SlurmCliSession slurm;
  private String name;

  @BeforeEach
  void setUp(LocalSlurmCluster cluster) throws Exception {
    slurm = new SlurmCliSession(cluster, dir, "live");
    name = "live-" + System.nanoTime();
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

  @Test
  void aJobCancelledAfterReadyShowsInStatusBesideTheRecordedReady() throws Exception {
    // A free ephemeral port: every node of the local cluster is on this one host, shared with other runs.
    Path graph = slurm.graph(name, slurm.frontend(FreePorts.take(1)[0]));
    CliRun deployed = slurm.deploy(graph, slurm.directLogin(slurm.knownHosts()));
    assertEquals(ExitCodes.OK, deployed.exitCode(), deployed.out() + deployed.err());

    CliRun healthy = dynamo("deploy", "status", name, "-o", "json");
    assertEquals(ExitCodes.OK, healthy.exitCode(), healthy.out() + healthy.err());
    JsonNode live = new ObjectMapper().readTree(healthy.out()).get("live");
    assertEquals("READY", live.get("state").asText(), healthy.out());
    assertEquals("slurm@" + slurm.login(), live.get("endpoint").asText());

    Graph loaded = GraphLoader.load(graph.toString(), Files.readString(graph), Target.SLURM).graph();
    String job = slurm.queue("%i", SlurmNames.jobName(loaded, "frontend", 0));
    assertTrue(job.matches("[0-9]+"), "one job: " + job);
    slurm.ssh.run("scancel " + job, RemoteShell.Retry.SAFE);
    String ended = slurm.cluster.awaitEnd(job, 60);
    assertEquals("CANCELLED", ended);

    CliRun lost = dynamo("deploy", "status", name);
    assertEquals(ExitCodes.DEPLOY_FAILED, lost.exitCode(), lost.out() + lost.err());
    assertTrue(lost.out().contains("deploy " + name + " -> slurm@" + slurm.login() + "   READY"), lost.out());
    assertTrue(lost.out().contains("recorded READY ") && lost.out().contains(" ago; live (slurm@" + slurm.login()
        + "): NOT_READY, 1 of 1 component(s) of revision 1 not ready: frontend: job " + job + " CANCELLED"),
        lost.out());

    CliRun recorded = dynamo("deploy", "status", name, "--recorded", "-o", "json");
    assertEquals(ExitCodes.OK, recorded.exitCode(), recorded.err());
    JsonNode doc = new ObjectMapper().readTree(recorded.out());
    assertEquals("READY", doc.get("phase").asText());
    assertTrue(doc.get("live").isNull(), recorded.out());
  }
}

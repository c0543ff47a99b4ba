package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.dynamo.deploy.testing.FreePorts;
import ai.dynamo.deploy.testing.slurm.LocalSlurm;
import ai.dynamo.deploy.testing.slurm.LocalSlurmCluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dynamo deploy history} on the real local Slurm cluster reads {@code state.json} over SSH with the user's own
 * key, not through a worker: a graph deployed twice (two specs, two revisions), then Temporal stopped, and history
 * with the flags that name the place still lists both revisions, in the same table as by name before.
 */
@Timeout(300)
@ExtendWith(LocalSlurm.class)
class SlurmHistoryCliTest {
  @TempDir Path dir;
  private SlurmCliSession slurm;
  private String name;

  @BeforeEach
  void setUp(LocalSlurmCluster cluster) throws Exception {
    slurm = new SlurmCliSession(cluster, dir, "history");
    name = "hist-" + System.nanoTime();
  }

  @AfterEach
  void tearDown() throws Exception {
    slurm.close();
  }

  private static CliRun dynamo(String address, List<String> args) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--address", address));
    return CliRun.of(all.toArray(String[]::new));
  }

  @Test
  void bothRevisionsAreListedWithTemporalStopped() throws Exception {
    List<String> login = slurm.directLogin(slurm.knownHosts());
    // Two specs (another port), so the second deploy records revision 2 instead of finding revision 1 unchanged.
    // Free ephemeral ports: every node of the local cluster is on this one host, shared with other runs.
    for (int port : FreePorts.take(2)) {
      CliRun deployed = slurm.deploy(slurm.graph(name, slurm.frontend(port)), login);
      assertEquals(ExitCodes.OK, deployed.exitCode(), deployed.out() + deployed.err());
    }
    String address = slurm.service.connection().address();
    CliRun byName = dynamo(address, List.of("deploy", "history", name));
    assertEquals(ExitCodes.OK, byName.exitCode(), byName.out() + byName.err());

    slurm.service.shutdown(Duration.ofSeconds(5)); // Temporal is gone
    List<String> place = new ArrayList<>(List.of("deploy", "history", name, "--target", "slurm", "--remote-dir",
        slurm.remoteDir));
    place.addAll(login);
    CliRun table = dynamo(address, place);
    HistoryTables.assertTwoRevisions(table, byName);

    List<String> yaml = new ArrayList<>(place);
    yaml.addAll(List.of("-o", "yaml"));
    CliRun doc = dynamo(address, yaml);
    assertEquals(ExitCodes.OK, doc.exitCode(), doc.err());
    JsonNode revisions = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(doc.out());
    assertEquals(2, revisions.size(), doc.out());
    assertEquals(2, revisions.get(1).get("revision").asInt());
    assertEquals("READY", revisions.get(1).get("status").asText());
  }
}

package ai.dynamo.deploy.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's rehearsal goes through a whole deploy start on its private service: one that stopped at a usage error
 * would warm almost nothing, silently.
 */
@Timeout(120)
class DeployStartRehearsalTest {
  @TempDir Path scratch;

  @Test
  void theRehearsedStartSucceedsOnItsOwnService() throws Exception {
    DeployStartRehearsal.Outcome outcome = DeployStartRehearsal.run(scratch);
    assertEquals(0, outcome.start(), outcome.output());
    assertTrue(outcome.output().startsWith("Started deploy deploy/slurm/warm-up@warm-up.invalid:22/warm-up "),
        outcome.output());
  }
}

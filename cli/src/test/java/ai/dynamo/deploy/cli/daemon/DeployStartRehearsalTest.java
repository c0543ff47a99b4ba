package ai.dynamo.deploy.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The daemon's rehearsal goes through a whole deploy start on its private service: one that stopped at a usage error
 * would warm almost nothing, silently.
 */
@Timeout(120)
class DeployStartRehearsalTest {
  @Test
  void theRehearsedStartSucceedsOnItsOwnService() throws Exception {
    DeployStartRehearsal.Outcome outcome = DeployStartRehearsal.run();
    assertEquals(0, outcome.start(), outcome.output());
    assertTrue(outcome.output().startsWith("Started deploy deploy/slurm/warm-up@warm-up.invalid:22/warm-up "),
        outcome.output());
  }
}

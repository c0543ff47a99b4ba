package ai.dynamo.deploy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a by-name verb says about where its settings came from. */
class SettingsOriginTest {
  static final String ID = "deploy/slurm/alice@login1:22/g";

  @Test
  void recordedSettingsAreReusedAndAFlagReplacesOneAndIsSaid() {
    SettingsOrigin o = new SettingsOrigin("r1", Map.of("sshHost", "login1", "partition", "gpu", "time", "04:00:00",
        "sbatchExtra", "--qos=high\n--exclusive"), Map.of("time", "08:00:00", "account", "llm"), true);
    assertEquals(Map.of("time", "04:00:00"), o.replaced());
    assertEquals(List.of(
        "settings from the record of " + ID + " (run r1): partition=gpu, sbatchExtra=--qos=high,--exclusive,"
            + " sshHost=login1",
        "setting time=08:00:00 from the command line replaces the recorded time=04:00:00",
        "settings from the command line, not in the record: account=llm"), o.notes(ID));
  }

  @Test
  void nothingIsSaidWhenTheFlagsSayItAllOrNoRunIsKnown() {
    assertEquals(List.of(), new SettingsOrigin("r1", Map.of("sshHost", "h"), Map.of("sshHost", "h"), true).notes(ID));
    assertEquals(List.of(), SettingsOrigin.flagsOnly(Map.of("partition", "gpu")).notes(ID));
  }

  @Test
  void aRunFromBeforeMemosKeptEverySettingSaysWhatCouldNotBeRecovered() {
    List<String> notes = new SettingsOrigin("r0", Map.of("sshHost", "login1"), Map.of(), false).notes(ID);
    assertEquals(2, notes.size(), notes.toString());
    assertTrue(notes.get(1).startsWith("run r0 of " + ID + " was started before deploys kept all their settings"),
        notes.get(1));
    assertTrue(notes.get(1).contains("could not be recovered: give them again as flags or with --profile"),
        notes.get(1));
  }
}

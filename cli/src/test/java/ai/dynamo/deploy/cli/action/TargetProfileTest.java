package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.workflows.Durations;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetProfileTest {
  @TempDir Path dir;

  private Path profile(String yaml) throws IOException {
    return Files.writeString(dir.resolve("profile.yaml"), yaml);
  }

  @Test
  void readsTheSectionOfTheTargetAndJoinsListsIntoLines() throws IOException {
    Path p = profile("""
        k8s:
          namespace: team-a
        slurm:
          sshHost: alice@login1:2222
          partition: gpu
          sbatchExtra: ["--qos=high", "--exclusive"]
        """);
    assertEquals(Map.of("namespace", "team-a"), TargetProfile.read(p, "k8s"));
    Map<String, String> slurm = TargetProfile.read(p, "slurm");
    assertEquals("gpu", slurm.get("partition"));
    assertEquals("--qos=high\n--exclusive", slurm.get("sbatchExtra"));
  }

  @Test
  void anUnknownKeyIsReportedWithLineColumnAndField() throws IOException {
    Path p = profile("k8s:\n  namespace: a\nslurm:\n  partiton: gpu\n");
    UserError e = assertThrows(UserError.class, () -> TargetProfile.read(p, "k8s"));
    assertEquals(ExitCodes.INVALID, e.exitCode());
    assertTrue(e.getMessage().startsWith(p + ":4:3: slurm.partiton: unknown setting"), e.getMessage());
  }

  @Test
  void brokenYamlIsReportedWithItsPosition() throws IOException {
    Path p = profile("k8s:\n  namespace: [a\n");
    UserError e = assertThrows(UserError.class, () -> TargetProfile.read(p, "k8s"));
    assertTrue(e.getMessage().startsWith(p + ":"), e.getMessage());
    assertTrue(e.getMessage().contains("not valid YAML: the '[' at line 2, column 14 is not closed"), e.getMessage());
  }

  @Test
  void flagsOverrideTheProfile() throws IOException {
    Path p = profile("slurm:\n  sshHost: login1\n  sshConfig: /nonexistent\n  partition: gpu\n  account: a1\n");
    Map<String, String> flags = new HashMap<>();
    flags.put("partition", "debug");
    flags.put("account", null);
    TargetChoice choice = TargetChoice.of("slurm", p, flags);
    assertEquals("debug", choice.settings().get("partition"));
    assertEquals("a1", choice.settings().get("account"));
    assertEquals(System.getProperty("user.name") + "@login1:22", choice.location());
  }

  @Test
  void locationsNameThePlace() {
    assertEquals("default", TargetChoice.of("k8s", null, Map.of()).location());
    assertEquals("prod/team-a",
        TargetChoice.of("k8s", null, Map.of("namespace", "team-a", "context", "prod")).location());
    Map<String, String> noConfig = Map.of("sshConfig", "/nonexistent");
    assertEquals("bob@login1:2222", slurm(noConfig, "bob@login1:2222").location());
    assertEquals("deploy/slurm/bob@login1:22/g", slurm(noConfig, "ssh://bob@login1").workflowId("g"));
    UserError e = assertThrows(UserError.class, () -> TargetChoice.of("slurm", null, Map.of()).location());
    assertTrue(e.getMessage().contains("--ssh-host"), e.getMessage());
  }

  private static TargetChoice slurm(Map<String, String> settings, String sshHost) {
    Map<String, String> all = new HashMap<>(settings);
    all.put("sshHost", sshHost);
    return TargetChoice.of("slurm", null, all);
  }

  @Test
  void aSettingOfAnotherTargetIsRefused() {
    UserError e = assertThrows(UserError.class,
        () -> TargetChoice.checkFlagsApply("k8s", Map.of("partition", "gpu")));
    assertTrue(e.getMessage().contains("partition"), e.getMessage());
  }

  @Test
  void durationsAcceptHumanAndIsoForms() {
    assertEquals(java.time.Duration.ofMinutes(90), Durations.parse("90m"));
    assertEquals(java.time.Duration.ofMinutes(90), Durations.parse("1h30m"));
    assertEquals(java.time.Duration.ofSeconds(45), Durations.parse("45s"));
    assertEquals(java.time.Duration.ofHours(1), Durations.parse("PT1H"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("soon"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("0s"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("10x"));
  }
}

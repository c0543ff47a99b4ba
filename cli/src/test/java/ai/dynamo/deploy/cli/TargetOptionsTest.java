package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.action.TargetChoice;
import ai.dynamo.deploy.ir.TargetSettingKeys;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The target flags become the target settings the renderers and targets read, and only for their own target. */
class TargetOptionsTest {
  @Command(name = "probe")
  static final class Probe {
    @Mixin TargetOptions target;
  }

  /** The target flags of one command line, resolved (also for {@link K8sPodFlagsTest}). */
  static TargetChoice parse(String... args) {
    Probe probe = new Probe();
    new CommandLine(probe).parseArgs(args);
    return probe.target.resolve();
  }

  @Test
  void kubernetesSafetyFlagsAreOffUnlessGiven() {
    TargetChoice plain = parse("--target", "k8s");
    assertFalse(plain.settings().containsKey(TargetSettingKeys.K8S_CREATE_NAMESPACE));
    assertFalse(plain.settings().containsKey(TargetSettingKeys.K8S_FORCE_CONFLICTS));

    TargetChoice both = parse("--target", "k8s", "--create-namespace", "--force-conflicts", "-n", "llm");
    assertEquals("true", both.settings().get(TargetSettingKeys.K8S_CREATE_NAMESPACE));
    assertEquals("true", both.settings().get(TargetSettingKeys.K8S_FORCE_CONFLICTS));
    assertEquals("llm", both.location());
  }

  @Test
  void sshFlagsReachTheSlurmSettingsAndNewHostKeysAreRefusedByDefault() {
    TargetChoice plain = parse("--target", "slurm", "--ssh-host", "alice@login1:2222", "--ssh-config", "/nonexistent");
    assertFalse(plain.settings().containsKey(TargetSettingKeys.SLURM_ACCEPT_NEW_HOST_KEY));
    assertEquals("alice@login1:2222", plain.location(), "the location is the resolved user@host:port");

    TargetChoice all = parse("--target", "slurm", "--ssh-host", "login1", "--ssh-key", "/k/id", "--ssh-config", "/k/cfg",
        "--known-hosts", "/k/kh", "--accept-new-host-key");
    assertEquals("/k/id", all.settings().get(TargetSettingKeys.SLURM_SSH_KEY));
    assertEquals("/k/cfg", all.settings().get(TargetSettingKeys.SLURM_SSH_CONFIG));
    assertEquals("/k/kh", all.settings().get(TargetSettingKeys.SLURM_KNOWN_HOSTS));
    assertEquals("true", all.settings().get(TargetSettingKeys.SLURM_ACCEPT_NEW_HOST_KEY));
  }

  @Test
  void aFlagOfTheOtherTargetIsRefused() {
    UserError k8sFlagOnSlurm = assertThrows(UserError.class, () -> parse("--target", "slurm", "--create-namespace"));
    assertEquals(ExitCodes.INVALID, k8sFlagOnSlurm.exitCode());
    assertTrue(k8sFlagOnSlurm.getMessage().contains("--create-namespace applies to --target k8s, not --target slurm"),
        k8sFlagOnSlurm.getMessage());
    UserError sshFlagOnK8s = assertThrows(UserError.class, () -> parse("--target", "k8s", "--known-hosts", "/kh"));
    assertTrue(sshFlagOnK8s.getMessage().contains("--known-hosts applies to --target slurm, not --target k8s"),
        sshFlagOnK8s.getMessage());
  }

  @Test
  void aMistypedSetKeyGetsTheClosestSettingOfItsTarget() {
    UserError typo = assertThrows(UserError.class, () -> parse("--target", "slurm", "--set", "partiton=gpu"));
    assertEquals(ExitCodes.INVALID, typo.exitCode());
    assertTrue(typo.getMessage().contains("--set partiton: no such setting for --target slurm; did you mean partition?"),
        typo.getMessage());
    UserError far = assertThrows(UserError.class, () -> parse("--target", "slurm", "--set", "zzzzzz=1"));
    assertFalse(far.getMessage().contains("did you mean"), far.getMessage());
  }

  @Test
  void withoutNamespaceTheKubeconfigContextsNamespaceAndAFlagOrProfileWins(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("kubeconfig"), String.join("\n",
        "apiVersion: v1", "kind: Config", "current-context: prod",
        "clusters: [{name: c, cluster: {server: \"https://10.0.0.1:6443\"}}]",
        "contexts: [{name: prod, context: {cluster: c, user: u, namespace: llm}}]", ""));
    assertEquals("10.0.0.1:6443/llm", parse("--target", "k8s", "--kubeconfig", file.toString()).location());
    assertEquals("10.0.0.1:6443/team", parse("--target", "k8s", "--kubeconfig", file.toString(), "-n", "team").location());
    java.nio.file.Path profile = java.nio.file.Files.writeString(dir.resolve("profile.yaml"), "k8s: {namespace: prof}\n");
    assertEquals("10.0.0.1:6443/prof",
        parse("--target", "k8s", "--kubeconfig", file.toString(), "--profile", profile.toString()).location());
  }
}

package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.slurm.SshHostSpec;
import ai.dynamo.deploy.cli.action.TargetChoice;
import ai.dynamo.deploy.ir.ExampleGraphs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --ssh-host} is parsed once, on the client: bad destinations are exit 2, the location is resolved. */
class SshHostCliTest {
  @TempDir Path dir;

  @Test
  void aBadDestinationIsExit2BeforeAnythingStartsEvenWhenOnlyRendering() throws Exception {
    Path graph = ExampleGraphs.repositoryRoot().resolve("examples/demo-graph.yaml");
    for (String bad : List.of("alice@login1:abc", "ssh://alice@login1:abc", "login1:0", "http://login1", "[::1",
        "fe80::1", "-oProxyCommand=sh", "a b")) {
      Path out = dir.resolve("out-" + Math.abs(bad.hashCode()));
      CliRun render = CliRun.of("deploy", "--target", "slurm", "-f", graph.toString(), "--out_dir", out.toString(),
          "--ssh-host", bad);
      assertEquals(ExitCodes.INVALID, render.exitCode(), bad + ": " + render.err());
      // An option-like value never reaches the parser: the command line refuses it (no option-like values).
      assertTrue(render.err().contains(bad.startsWith("-") ? "Expected parameter for option '--ssh-host'"
          : SshHostSpec.FORMS), render.err());
      assertFalse(render.err().contains("Exception"), render.err());
      assertFalse(Files.exists(out), "nothing rendered for " + bad);
      // Deploy mode: refused before any Temporal service is looked for or started.
      CliRun deploy = CliRun.of("deploy", "--target", "slurm", "-f", graph.toString(), "--ssh-host", bad,
          "--address", "127.0.0.1:1");
      assertEquals(ExitCodes.INVALID, deploy.exitCode(), bad + ": " + deploy.err());
      assertFalse(deploy.err().contains("Temporal"), deploy.err());
    }
  }

  @Test
  void anAliasAndItsHostNameAreOneDeploy() throws Exception {
    Path config = Files.writeString(dir.resolve("config"), """
        Host hpc
          HostName Login1.Example.org
          User alice
          Port 2200
        """);
    Map<String, String> base = Map.of("sshConfig", config.toString());
    String alias = choice(base, "hpc").workflowId("g");
    assertEquals("deploy/slurm/alice@login1.example.org:2200/g", alias);
    assertEquals(alias, choice(base, "alice@login1.example.org:2200").workflowId("g"));
    assertEquals(alias, choice(base, "ssh://alice@login1.example.org:2200").workflowId("g"));
    assertEquals("deploy/slurm/bob@login1.example.org:2200/g", choice(base, "bob@hpc").workflowId("g"),
        "another account is another place: its jobs and state are its own");
    assertEquals("deploy/slurm/alice@[::1]:2222/g", choice(base, "alice@[::1]:2222").workflowId("g"));
  }

  @Test
  void aRefusedConfigValueIsExit2NamingFileAndLine() throws Exception {
    Path config = Files.writeString(dir.resolve("config"), "Host hpc\n  StrictHostKeyChecking no\n");
    UserError e = assertThrows(UserError.class,
        () -> choice(Map.of("sshConfig", config.toString()), "hpc").location());
    assertEquals(ExitCodes.INVALID, e.exitCode());
    assertTrue(e.getMessage().contains(config + ":2") && e.getMessage().contains("accept-new"), e.getMessage());
  }

  @Test
  void unsupportedConfigKeysAreWarnedWithFileAndLine() throws Exception {
    Path config = Files.writeString(dir.resolve("config"), "Host hpc\n  HostName h\n  ForwardAgent yes\n");
    TargetChoice.LoginNode login = choice(Map.of("sshConfig", config.toString()), "hpc").loginNode();
    assertEquals(List.of(config + ":3: ForwardAgent is not supported by the deployer and is ignored"), login.warnings());
  }

  private static TargetChoice choice(Map<String, String> settings, String sshHost) {
    Map<String, String> all = new java.util.HashMap<>(settings);
    all.put("sshHost", sshHost);
    return TargetChoice.of("slurm", null, all);
  }
}

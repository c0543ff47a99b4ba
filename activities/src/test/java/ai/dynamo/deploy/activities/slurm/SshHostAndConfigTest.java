package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [user@]host[:port]} and the ~/.ssh/config keys the target honours. */
class SshHostAndConfigTest {
  @TempDir Path home;

  @Test
  void hostSpecs() {
    assertEquals(new SshHostSpec(null, "login1", null), SshHostSpec.parse("login1"));
    assertEquals(new SshHostSpec("alice", "login1.example.org", 2222), SshHostSpec.parse("alice@login1.example.org:2222"));
    assertEquals(new SshHostSpec("bob", "::1", 22), SshHostSpec.parse("bob@[::1]:22"));
    assertEquals(new SshHostSpec(null, "10.0.0.5", 2200), SshHostSpec.parse("10.0.0.5:2200"));
    assertEquals(new SshHostSpec("alice", "login1", 2222), SshHostSpec.parse("ssh://alice@login1:2222"));
    assertEquals(new SshHostSpec(null, "login1", null), SshHostSpec.parse("SSH://login1/"));
    assertEquals(new SshHostSpec(null, "::1", 2222), SshHostSpec.parse("[::1]:2222"));
    assertEquals(new SshHostSpec("a.b-c_d", "h", null), SshHostSpec.parse("a.b-c_d@h"));
  }

  @Test
  void badHostSpecsNameTheProblem() {
    for (String bad : List.of("", "@host", "host:0", "host:99999", "host:ssh", "fe80::1", "[::1", "a b", "h/x",
        "alice@login1:abc", "ssh://alice@login1:abc", "ssh://host/path", "http://host", "-oProxyCommand=x",
        "a,b", "host:", "[::1]x")) {
      SlurmError e = assertThrows(SlurmError.class, () -> SshHostSpec.parse(bad), bad);
      assertEquals(SlurmError.Kind.INVALID_SETTING, e.kind());
      assertTrue(e.getMessage().contains(SshHostSpec.FORMS), e.getMessage());
    }
  }

  @Test
  void configAliasFirstValueWinsAndIdentityFilesAccumulate() {
    SshConfigFile config = SshConfigFile.parse("""
        # cluster
        Host slurm-* !slurm-old
          HostName login.%h.example
          User alice
          IdentityFile ~/.ssh/cluster_key
        Host slurm-prod
          Port 2222
          User ignored
        Host *
          User fallback
          Port=22
          IdentityFile "%d/.ssh/id_%u"
        Match host x
          User never
        """);
    SshHostConfig e = config.lookup("slurm-prod");
    assertEquals("login.slurm-prod.example", e.hostName(), "%h is the host as typed");
    assertEquals(2222, e.port());
    assertEquals("alice", e.user());
    assertEquals(List.of("~/.ssh/cluster_key", "%d/.ssh/id_%u"), e.identityFiles());
    SshHostConfig old = config.lookup("slurm-old");
    assertEquals("slurm-old", old.hostName(), "negated pattern excludes");
    assertEquals("fallback", old.user());
    assertEquals(22, old.port());
  }

  @Test
  void endpointResolutionWhatTheUserWroteWinsAndSshKeyReplacesIdentityFiles() throws Exception {
    SshConfigFile config = SshConfigFile.parse("Host hpc\n HostName login.%h.org\n Port 2200\n User carol\n"
        + " IdentityFile ~/.ssh/hpc\n");
    SshEndpoint ep = SshEndpoint.resolve("hpc", config, null, home.toString(), "me");
    assertEquals("login.hpc.org", ep.hostName());
    assertEquals(2200, ep.port());
    assertEquals("carol", ep.user());
    assertEquals(List.of(home.resolve(".ssh/hpc")), ep.identityFiles());

    SshEndpoint explicit = SshEndpoint.resolve("dave@hpc:2300", config, null, home.toString(), "me");
    assertEquals("dave", explicit.user());
    assertEquals(2300, explicit.port());

    Path key = Files.writeString(home.resolve("override"), "key");
    assertEquals(List.of(key), SshEndpoint.resolve("hpc", config, key, home.toString(), "me").identityFiles());
    assertThrows(SlurmError.class, () -> SshEndpoint.resolve("hpc", config, home.resolve("missing"), home.toString(), "me"));

    SshEndpoint plain = SshEndpoint.resolve("other", config, null, home.toString(), "me");
    assertEquals("other", plain.hostName());
    assertEquals(22, plain.port());
    assertEquals("me", plain.user(), "like ssh, the local user by default");
  }

  @Test
  void identityFileTokens() {
    SshEndpoints.Tokens t = new SshEndpoints.Tokens("/h", "me", "host", "u", 2222, "alias");
    assertEquals("/h/.ssh/id_me_host_u", t.expand("~/.ssh/id_%u_%h_%r", "f:1"));
    assertEquals("/h/k%-2222-alias", t.expand("%d/k%%-%p-%n", "f:1"));
    SlurmError e = assertThrows(SlurmError.class, () -> t.expand("%C", "f:1"));
    assertTrue(e.getMessage().contains("f:1") && e.getMessage().contains("%C"), e.getMessage());
  }
}

package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenSSH's own client is the reference: for every configuration in {@code src/test/resources/ssh-config-corpus}
 * and every host its {@code # query:} line names, {@link SshConfigFile} must resolve the keys the deployer honours
 * exactly as {@code ssh -G -F FILE HOST} prints them (defaults included).
 */
class SshConfigAgreesWithOpenSshTest {
  static final Path CORPUS = Path.of("src", "test", "resources", "ssh-config-corpus");
  static final List<String> FIELDS = List.of("hostname", "port", "user", "identityfile", "identitiesonly",
      "identityagent", "proxyjump", "userknownhostsfile", "stricthostkeychecking", "serveraliveinterval",
      "serveralivecountmax", "connecttimeout");
  /** What ssh -G lists when no IdentityFile is configured. */
  static final List<String> DEFAULT_IDENTITIES = List.of("~/.ssh/id_rsa", "~/.ssh/id_ecdsa", "~/.ssh/id_ecdsa_sk",
      "~/.ssh/id_ed25519", "~/.ssh/id_ed25519_sk", "~/.ssh/id_xmss", "~/.ssh/id_dsa");

  @TempDir Path home;

  @Test
  void everyCorpusConfigResolvesAsSshDashG() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh")), "openssh-client is not installed");
    String userHome = System.getProperty("user.home");
    String localUser = System.getProperty("user.name");
    // Relative Includes start at $HOME/.ssh for OpenSSH: lay the corpus out there.
    Path sshDir = Files.createDirectories(home.resolve(".ssh"));
    List<Path> configs;
    try (Stream<Path> files = Files.list(CORPUS)) {
      configs = files.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
    }
    assertTrue(configs.size() >= 20, "the corpus has at least 20 configurations: " + configs.size());
    copyTree(CORPUS, sshDir);

    List<String> mismatches = new ArrayList<>();
    int queries = 0;
    for (Path source : configs) {
      Path config = sshDir.resolve(source.getFileName());
      String firstLine = Files.readAllLines(config).get(0);
      assertTrue(firstLine.startsWith("# query: "), config + " starts with '# query: host...'");
      SshConfigFile ours = SshConfigFile.read(config, sshDir, userHome);
      for (String host : firstLine.substring("# query: ".length()).trim().split("\\s+")) {
        queries++;
        Map<String, String> expected = sshDashG(config, host);
        Map<String, String> actual = resolve(ours, host, localUser, userHome);
        for (String field : FIELDS) {
          if (!String.valueOf(expected.get(field)).equals(String.valueOf(actual.get(field)))) {
            mismatches.add(source.getFileName() + " " + host + " " + field + ": ssh -G says "
                + expected.get(field) + ", we say " + actual.get(field));
          }
        }
      }
    }
    assertEquals(List.of(), mismatches, "resolution differs from ssh -G");
    assertTrue(queries >= 50, "queries: " + queries);
  }

  @Test
  void unsupportedKeysAreWarnedOnceWithFileAndLine() throws IOException {
    Path config = Files.writeString(home.resolve("config"), "Host u\n  ForwardAgent yes\n  Compression yes\n"
        + "  ProxyCommand nc %h %p\nHost *\n  ForwardAgent no\n");
    SshHostConfig c = SshConfigFile.read(config, home, home.toString()).lookup("u", "me");
    assertEquals(List.of(
        config + ":2: ForwardAgent is not supported by the deployer and is ignored",
        config + ":3: Compression is not supported by the deployer and is ignored",
        config + ":4: ProxyCommand is not supported (use ProxyJump); the deployer connects without it",
        config + ":6: ForwardAgent is not supported by the deployer and is ignored"), c.warnings());
    assertEquals(List.of(), SshConfigFile.read(config, home, home.toString()).lookup("other", "me").warnings().stream()
        .filter(w -> w.contains(":2:")).toList(), "keys of blocks that do not apply are not warned about");
  }

  /** Our resolution, printed in ssh -G's vocabulary. */
  static Map<String, String> resolve(SshConfigFile config, String host, String localUser, String home) {
    SshHostConfig c = config.lookup(host, localUser);
    String user = c.user() != null ? c.user() : localUser;
    int port = c.port() != null ? c.port() : 22;
    SshEndpoints.Tokens tokens = new SshEndpoints.Tokens(home, localUser, c.hostName(), user, port, host);
    Map<String, String> out = new LinkedHashMap<>();
    out.put("hostname", c.hostName());
    out.put("port", String.valueOf(port));
    out.put("user", user);
    out.put("identityfile", String.join("|", c.identityFiles().isEmpty() ? DEFAULT_IDENTITIES : c.identityFiles()));
    out.put("identitiesonly", c.identitiesOnly() ? "yes" : "no");
    String agent = c.identityAgent();
    if (agent != null) {
      out.put("identityagent", agent.equals("none") || agent.equals("SSH_AUTH_SOCK") || agent.startsWith("$")
          ? agent : tokens.expand(agent, "test"));
    }
    if (c.proxyJump() != null) out.put("proxyjump", c.proxyJump());
    List<String> known = new ArrayList<>();
    for (String f : c.userKnownHostsFiles()) known.add(f.equals("none") ? f : tokens.expand(f, "test"));
    if (known.isEmpty()) known = List.of(home + "/.ssh/known_hosts", home + "/.ssh/known_hosts2");
    out.put("userknownhostsfile", String.join(" ", known));
    String strict = c.strictHostKeyChecking();
    out.put("stricthostkeychecking", strict == null ? "ask" : switch (strict) {
      case "yes", "true" -> "true";
      case "no", "off", "false" -> "false";
      default -> strict;
    });
    out.put("serveraliveinterval", String.valueOf(c.serverAliveInterval() == null ? 0 : c.serverAliveInterval()));
    out.put("serveralivecountmax", String.valueOf(c.serverAliveCountMax() == null ? 3 : c.serverAliveCountMax()));
    out.put("connecttimeout", c.connectTimeout() == null ? "none" : String.valueOf(c.connectTimeout()));
    return out;
  }

  /** {@code ssh -G}: the fields we compare, multi-valued ones joined with '|'. */
  Map<String, String> sshDashG(Path config, String host) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("ssh", "-G", "-F", config.toString(), host);
    pb.environment().put("HOME", home.toString());
    pb.environment().remove("SSH_AUTH_SOCK");
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("ssh -G -F " + config + " " + host + " failed: " + err);
    }
    Map<String, String> fields = new TreeMap<>();
    for (String line : out.split("\n")) {
      int space = line.indexOf(' ');
      if (space < 0) continue;
      String key = line.substring(0, space);
      if (!FIELDS.contains(key)) continue;
      fields.merge(key, line.substring(space + 1), (a, b) -> a + "|" + b);
    }
    return fields;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.writeString(target, Files.readString(p).replace("${DIR}", to.toString()));
        }
      }
    }
  }
}

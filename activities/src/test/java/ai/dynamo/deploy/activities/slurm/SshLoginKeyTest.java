package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pool's login key: the same login gives the same key; anything that could change a fresh login changes it. */
class SshLoginKeyTest {
  @TempDir Path tmp;
  Path key;
  Path knownHosts;
  SshOptions options;

  @BeforeEach
  void setUp() throws IOException {
    key = Files.writeString(tmp.resolve("id_ed25519"), "private key A\n");
    Files.writeString(tmp.resolve("id_ed25519.pub"), "ssh-ed25519 AAAA a\n");
    knownHosts = Files.writeString(tmp.resolve("known_hosts"), "[login]:22 ssh-ed25519 AAAA\n");
    options = new SshOptions(knownHosts, false, null, Duration.ofSeconds(10), Duration.ofSeconds(15));
  }

  private SshEndpoint endpoint(String user, List<Path> keys) {
    return new SshEndpoint("login", "login", 22, user, keys);
  }

  private String login() {
    return SshLoginKey.of(endpoint("alice", List.of(key)), options);
  }

  /** New content of the same length under the old modification time: only a digest of the content tells. */
  private static void rewriteKeepingSizeAndTime(Path file, String content) throws IOException {
    FileTime mtime = Files.getLastModifiedTime(file);
    long size = Files.size(file);
    Files.writeString(file, content);
    Files.setLastModifiedTime(file, mtime);
    assertEquals(size, Files.size(file));
  }

  @Test
  void theSameLoginGivesTheSameKey() {
    assertEquals(login(), login());
    assertEquals(login(), SshLoginKey.of(endpoint("alice", List.of(key)),
        new SshOptions(knownHosts, false, null, Duration.ofSeconds(10), Duration.ofSeconds(15))));
  }

  @Test
  void aChangedKnownHostsFileChangesTheKey() throws IOException {
    String before = login();
    rewriteKeepingSizeAndTime(knownHosts, "[login]:22 ssh-ed25519 BBBB\n");
    assertNotEquals(before, login(), "content, same size and time");
    String now = login();
    Files.setLastModifiedTime(knownHosts, FileTime.fromMillis(1_000));
    assertNotEquals(now, login(), "modification time");
    Files.delete(knownHosts);
    assertNotEquals(now, login(), "removed");
  }

  @Test
  void aChangedIdentityChangesTheKey() throws IOException {
    String before = login();
    Files.writeString(tmp.resolve("id_ed25519.pub"), "ssh-ed25519 BBBB b\n");
    String pubChanged = login();
    assertNotEquals(before, pubChanged, "its .pub (it decides which agent key is that file)");
    rewriteKeepingSizeAndTime(key, "private key B\n");
    assertNotEquals(pubChanged, login(), "content, same size and time");
    Path other = Files.copy(key, tmp.resolve("other"));
    assertNotEquals(login(), SshLoginKey.of(endpoint("alice", List.of(other)), options), "another path");
  }

  @Test
  void anotherUserAgentOrOptionChangesTheKey() throws IOException {
    String before = login();
    assertNotEquals(before, SshLoginKey.of(endpoint("bob", List.of(key)), options));
    Path socket = Files.writeString(tmp.resolve("agent.sock"), "");
    assertNotEquals(before, SshLoginKey.of(endpoint("alice", List.of(key)), options.withAgent(socket)));
    assertNotEquals(before, SshLoginKey.of(endpoint("alice", List.of(key)),
        options.withCommandTimeout(Duration.ofSeconds(5))));
    assertNotEquals(before, SshLoginKey.of(endpoint("alice", List.of(key)),
        new SshOptions(knownHosts, true, null, Duration.ofSeconds(10), Duration.ofSeconds(15))));
    SshOptions withPassphrase = new SshOptions(knownHosts, false, "one".toCharArray(), Duration.ofSeconds(10),
        Duration.ofSeconds(15));
    SshOptions otherPassphrase = new SshOptions(knownHosts, false, "two".toCharArray(), Duration.ofSeconds(10),
        Duration.ofSeconds(15));
    assertNotEquals(SshLoginKey.of(endpoint("alice", List.of(key)), withPassphrase),
        SshLoginKey.of(endpoint("alice", List.of(key)), otherPassphrase));
    SshEndpoint viaBastion = new SshEndpoint("login", "login", 22, "alice", List.of(key),
        SshEndpoint.HostPolicy.DEFAULTS, List.of(new SshEndpoint("bastion", "bastion", 22, "jump", List.of(key))));
    assertNotEquals(before, SshLoginKey.of(viaBastion, options), "a ProxyJump hop");
  }

  @Test
  void theKeyHoldsNoPassphrase() {
    SshOptions withPassphrase = new SshOptions(knownHosts, false, "s3cret".toCharArray(), Duration.ofSeconds(10),
        Duration.ofSeconds(15));
    String k = SshLoginKey.of(endpoint("alice", List.of(key)), withPassphrase);
    assertEquals(64, k.length(), "a SHA-256 digest in hex");
    assertEquals(-1, k.indexOf("s3cret"));
  }
}

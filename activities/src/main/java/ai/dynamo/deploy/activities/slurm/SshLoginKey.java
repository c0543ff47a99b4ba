package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.ir.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * What decides who a connection logs in as and where, as one digest: the key of {@link SshConnectionPool}. Every hop
 * (host, port, user, the ssh config's choices as resolved), each identity file and its {@code .pub} (path, size,
 * modification time and content digest), the agent socket (path and file identity), each known_hosts file (path,
 * size, modification time and content digest) and the connection options (timeouts, accept-new, whether a
 * passphrase is set and its digest). Any change gives another key, so a kept connection is never used where a fresh
 * login could have turned out differently. Computed on every activity: a few small file reads, no round trip.
 */
final class SshLoginKey {
  private SshLoginKey() {}

  static String of(SshEndpoint endpoint, SshOptions options) {
    List<String> parts = new ArrayList<>();
    parts.add("options " + options.knownHosts() + " acceptNew=" + options.acceptNewHostKey() + " connect="
        + options.connectTimeout() + " keepAlive=" + options.keepAlive() + " command=" + options.commandTimeout()
        + " passphrase=" + (options.passphrase() == null ? "none" : Sha256.hex(new String(options.passphrase()))));
    List<SshEndpoint> hops = new ArrayList<>(endpoint.jumps());
    hops.add(endpoint);
    for (SshEndpoint hop : hops) {
      parts.add("hop " + hop.user() + "@" + hop.hostName() + ":" + hop.port() + " alias=" + hop.alias() + " "
          + hop.policy());
      for (Path key : hop.identityFiles()) {
        parts.add("identity " + file(key) + " public " + file(Path.of(key + ".pub")));
      }
      for (Path kh : SshHopLogin.knownHosts(hop, options)) parts.add("known_hosts " + file(kh));
      Path agent = SshAuthenticator.agentSocket(hop, options);
      parts.add("agent " + (agent == null ? "none" : agent + " " + identity(agent)));
    }
    return Sha256.hex(String.join("\n", parts));
  }

  /** A file's path and state: absent, or size, modification time and a digest of its content. */
  private static String file(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      if (!a.isRegularFile()) return p + " " + identity(p);
      try (InputStream in = Files.newInputStream(p)) {
        return p + " " + a.size() + " " + a.lastModifiedTime().toMillis() + " " + Sha256.hex(in);
      }
    } catch (IOException e) {
      return p + " unreadable (" + e.getClass().getSimpleName() + ")";
    }
  }

  /** Which file is at a path (a socket has no content to digest: a restarted agent is another file). */
  private static String identity(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      return a.fileKey() + " " + a.lastModifiedTime().toMillis();
    } catch (IOException e) {
      return "absent";
    }
  }
}

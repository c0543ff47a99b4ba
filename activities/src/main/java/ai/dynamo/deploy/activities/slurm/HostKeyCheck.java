package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

/**
 * One hop's host key check against its known_hosts files ({@code UserKnownHostsFile} may name several): a key
 * recorded in any file passes; a different key recorded for the host is refused as CHANGED (with file and line);
 * a key in none is refused as unknown, or, with accept-new, appended to the first file.
 */
final class HostKeyCheck implements HostKeyVerifier {
  private final List<KnownHostsVerifier> files = new ArrayList<>();
  private final boolean acceptNew;
  private volatile SlurmError refusal;
  private volatile Verified verified;

  /** A host key this check accepted, with the host name and port sshj asked about. */
  record Verified(String hostname, int port, PublicKey key) {}

  /** @param display the hop, for messages */
  HostKeyCheck(List<Path> knownHosts, boolean acceptNew, String display) {
    this.acceptNew = acceptNew;
    boolean any = false;
    for (Path file : knownHosts) {
      if (Files.isRegularFile(file)) any = true;
    }
    Path first = knownHosts.get(0);
    if (!any && !acceptNew) {
      throw new SlurmError(SlurmError.Kind.UNKNOWN_HOST_KEY, "known_hosts file " + String.join(", ",
          knownHosts.stream().map(Path::toString).toList()) + " does not exist, so the host key of " + display
          + " cannot be verified; add it with ssh-keyscan after checking the fingerprint (or use accept-new)");
    }
    try {
      if (!Files.exists(first) && acceptNew && !first.toString().equals("/dev/null")) {
        Files.createDirectories(first.toAbsolutePath().getParent());
        Files.createFile(first);
      }
      for (Path file : knownHosts) {
        if (Files.exists(file)) files.add(new KnownHostsVerifier(file.toFile(), false));
      }
    } catch (IOException e) {
      throw new SlurmError(SlurmError.Kind.INVALID_SETTING, "cannot read known_hosts " + first + ": " + e.getMessage());
    }
  }

  /** Why the last check refused the host, or null. */
  SlurmError refusal() {
    return refusal;
  }

  /** The key the last successful check accepted, or null. */
  Verified verified() {
    return verified;
  }

  @Override
  public boolean verify(String hostname, int port, PublicKey key) {
    SlurmError unknown = null;
    for (KnownHostsVerifier f : files) {
      if (f.verify(hostname, port, key)) {
        refusal = null;
        verified = new Verified(hostname, port, key);
        return true;
      }
      SlurmError why = f.refusal();
      if (why != null && why.kind() == SlurmError.Kind.CHANGED_HOST_KEY) {
        refusal = why;
        return false;
      }
      if (unknown == null) unknown = why;
    }
    if (acceptNew && !files.isEmpty() && files.get(0).accept(hostname, port, key)) {
      refusal = null;
      verified = new Verified(hostname, port, key);
      return true;
    }
    refusal = acceptNew && !files.isEmpty() ? files.get(0).refusal() : unknown;
    return false;
  }

  @Override
  public List<String> findExistingAlgorithms(String hostname, int port) {
    LinkedHashSet<String> all = new LinkedHashSet<>();
    for (KnownHostsVerifier f : files) all.addAll(f.findExistingAlgorithms(hostname, port));
    return new ArrayList<>(all);
  }
}

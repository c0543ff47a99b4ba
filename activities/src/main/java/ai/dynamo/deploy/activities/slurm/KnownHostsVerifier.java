package ai.dynamo.deploy.activities.slurm;

import java.io.File;
import java.io.IOException;
import java.security.PublicKey;
import java.util.List;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/**
 * Host key check against an OpenSSH known_hosts file (sshj's parser: plain and hashed entries, {@code [host]:port}
 * for other ports). It never accepts a changed key, accepts an unknown key only when asked to (and then appends it
 * to the file), and remembers why it refused so the connection can fail with a message that shows the fingerprint
 * and how to trust the host.
 */
final class KnownHostsVerifier extends OpenSSHKnownHosts {
  private final boolean acceptNew;
  private volatile SlurmError refusal;

  KnownHostsVerifier(File knownHosts, boolean acceptNew) throws IOException {
    super(knownHosts);
    this.acceptNew = acceptNew;
  }

  /** Why the last check refused the host, or null. */
  SlurmError refusal() {
    return refusal;
  }

  @Override
  protected boolean hostKeyUnverifiableAction(String hostname, PublicKey key) {
    KeyType type = KeyType.fromKey(key);
    if (acceptNew) {
      try {
        write(new HostEntry(null, hostname, type, key));
        return true;
      } catch (IOException e) {
        refusal = new SlurmError(SlurmError.Kind.INVALID_SETTING,
            "cannot add the host key of " + hostname + " to " + khFile + ": " + e.getMessage());
        return false;
      }
    }
    refusal = new SlurmError(SlurmError.Kind.UNKNOWN_HOST_KEY,
        "the host key of " + hostname + " is not in " + khFile + " (" + type + " key " + fingerprint(key) + "). "
            + "Check this fingerprint with the cluster's administrators, then trust it with: "
            + keyscan(hostname, type) + " >> " + khFile
            + " (or deploy once with --accept-new-host-key, the setting acceptNewHostKey=true).");
    return false;
  }

  /** Trusts an unknown key now: appends it to this file (the {@code accept-new} choice, made by the caller). */
  boolean accept(String hostname, int port, PublicKey key) {
    String adjusted = port == 22 ? hostname : "[" + hostname + "]:" + port;
    try {
      write(new HostEntry(null, adjusted, KeyType.fromKey(key), key));
      refusal = null;
      return true;
    } catch (IOException e) {
      refusal = new SlurmError(SlurmError.Kind.INVALID_SETTING,
          "cannot add the host key of " + adjusted + " to " + khFile + ": " + e.getMessage());
      return false;
    }
  }

  @Override
  protected boolean hostKeyChangedAction(String hostname, PublicKey key) {
    refusal = new SlurmError(SlurmError.Kind.CHANGED_HOST_KEY,
        "the host key of " + hostname + " has CHANGED: it presents " + KeyType.fromKey(key) + " key "
            + fingerprint(key) + ", which is not the key recorded in " + khFile + recordedAt(hostname, key)
            + ". This can be an attack. "
            + "If the administrators confirm the new key, remove the old entry with: ssh-keygen -R '" + hostname
            + "' -f " + khFile + " and add the new one with: " + keyscan(hostname, KeyType.fromKey(key)) + " >> "
            + khFile);
    return false;
  }

  /** {@code ":N"}: the line where the file records another key for the host, as ssh's "Offending key" line. */
  private String recordedAt(String hostname, PublicKey key) {
    try {
      List<String> lines = java.nio.file.Files.readAllLines(khFile.toPath());
      EntryFactory parser = new EntryFactory();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (line.isEmpty() || line.startsWith("#")) continue;
        KnownHostEntry e = parser.parseEntry(line);
        if (e != null && e.appliesTo(hostname) && !e.verify(key)) return ":" + (i + 1);
      }
    } catch (IOException | RuntimeException e) {
      // the message stays useful without the line
    }
    return "";
  }

  /** The OpenSSH-style fingerprint {@code SHA256:<base64>} of a public key. */
  static String fingerprint(PublicKey key) {
    return SshAgent.fingerprintOf(new Buffer.PlainBuffer().putPublicKey(key).getCompactData());
  }

  private static String keyscan(String adjustedHost, KeyType type) {
    String host = adjustedHost;
    String port = "";
    if (adjustedHost.startsWith("[") && adjustedHost.contains("]:")) {
      int close = adjustedHost.indexOf("]:");
      host = adjustedHost.substring(1, close);
      port = "-p " + adjustedHost.substring(close + 2) + " ";
    }
    String t = type.toString().replace("ssh-", "").replace("ecdsa-sha2-nistp256", "ecdsa");
    return "ssh-keyscan " + port + "-t " + t + " " + host;
  }
}

package ai.dynamo.deploy.activities.slurm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where and as whom to log in, after applying {@code ~/.ssh/config}: what the user wrote in
 * {@code [user@]host[:port]} wins over the config file (as on ssh's command line), and {@code --ssh-key} replaces
 * the config's IdentityFile.
 *
 * @param alias the host as the user wrote it (for messages)
 * @param hostName the host to connect to
 * @param port the port
 * @param user the remote user
 * @param identityFiles private keys to offer, in order
 */
public record SshEndpoint(String alias, String hostName, int port, String user, List<Path> identityFiles) {
  public SshEndpoint {
    identityFiles = List.copyOf(identityFiles);
  }

  /** {@code user@host:port}, for messages and locations. */
  public String display() {
    String h = hostName.contains(":") ? "[" + hostName + "]" : hostName;
    return user + "@" + h + ":" + port;
  }

  /**
   * @param spec {@code [user@]host[:port]} or an alias
   * @param config the parsed {@code ~/.ssh/config} (or empty)
   * @param keyOverride the {@code --ssh-key} file, or null
   * @param localHome the worker's home directory (for {@code ~} and default keys)
   * @param localUser the worker's user name (default remote user, as with ssh)
   */
  public static SshEndpoint resolve(
      String spec, SshConfigFile config, Path keyOverride, String localHome, String localUser) {
    SshHostSpec hs = SshHostSpec.parse(spec);
    SshConfigFile.Entry e = config.lookup(hs.host());
    String hostName = e.hostName() != null ? e.hostName().replace("%h", hs.host()) : hs.host();
    int port = hs.port() != null ? hs.port() : e.port() != null ? e.port() : 22;
    String user = hs.user() != null ? hs.user() : e.user() != null ? e.user() : localUser;
    List<Path> keys = new ArrayList<>();
    if (keyOverride != null) {
      if (!Files.isReadable(keyOverride)) {
        throw new SlurmError(SlurmError.Kind.INVALID_SETTING, "ssh key " + keyOverride + " cannot be read");
      }
      keys.add(keyOverride);
    } else if (!e.identityFiles().isEmpty()) {
      for (String f : e.identityFiles()) {
        keys.add(Path.of(SshConfigFile.expandPath(f, localHome, localUser, hostName, user)));
      }
    } else {
      for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
        Path p = Path.of(localHome, ".ssh", name);
        if (Files.isReadable(p)) keys.add(p);
      }
    }
    return new SshEndpoint(hs.host(), hostName, port, user, keys);
  }
}

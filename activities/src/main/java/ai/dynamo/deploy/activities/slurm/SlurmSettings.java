package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.ir.TargetSettingKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The target settings the Slurm target reads besides the renderer's (partition, account, time, ...). Paths are on
 * the worker's file system. None of them is secret: settings travel in Temporal history.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>Key</th><th>Meaning</th><th>Default</th></tr>
 *   <tr><td>{@code sshHost}</td><td>{@code [user@]host[:port]} or an ~/.ssh/config alias</td><td>required</td></tr>
 *   <tr><td>{@code sshKey}</td><td>private key file; replaces the config's IdentityFile</td><td>config, then
 *       ~/.ssh/id_ed25519, id_ecdsa, id_rsa</td></tr>
 *   <tr><td>{@code sshConfig}</td><td>OpenSSH client config file</td><td>~/.ssh/config</td></tr>
 *   <tr><td>{@code knownHosts}</td><td>known_hosts file the host key is checked against</td>
 *       <td>~/.ssh/known_hosts</td></tr>
 *   <tr><td>{@code acceptNewHostKey}</td><td>{@code true}: trust and record an unknown host key (never a changed
 *       one)</td><td>{@code false}</td></tr>
 *   <tr><td>{@code remoteDir}</td><td>working directory on the cluster</td><td>{@code .dynamo/deploy}</td></tr>
 * </table>
 */
public final class SlurmSettings {
  private SlurmSettings() {}

  public static final String SSH_HOST = TargetSettingKeys.SLURM_SSH_HOST;
  public static final String SSH_KEY = TargetSettingKeys.SLURM_SSH_KEY;
  public static final String SSH_CONFIG = TargetSettingKeys.SLURM_SSH_CONFIG;
  public static final String KNOWN_HOSTS = TargetSettingKeys.SLURM_KNOWN_HOSTS;
  public static final String ACCEPT_NEW_HOST_KEY = TargetSettingKeys.SLURM_ACCEPT_NEW_HOST_KEY;
  public static final String REMOTE_DIR = TargetSettingKeys.SLURM_REMOTE_DIR;
  public static final String HELD_STARTS = TargetSettingKeys.SLURM_HELD_STARTS;

  /** Problems with the settings (empty when usable). */
  public static List<String> problems(Map<String, String> settings) {
    List<String> problems = new ArrayList<>();
    String host = settings.get(SSH_HOST);
    if (host == null || host.isBlank()) {
      problems.add("the Slurm target needs the login node: --ssh-host [user@]host[:port] (setting " + SSH_HOST + ")");
    } else {
      try {
        SshHostSpec.parse(host);
      } catch (SlurmError e) {
        problems.add(e.getMessage());
      }
    }
    for (String flag : List.of(ACCEPT_NEW_HOST_KEY, HELD_STARTS)) {
      String value = settings.get(flag);
      if (value != null && !value.equals("true") && !value.equals("false")) {
        problems.add("setting " + flag + " must be true or false, not \"" + value + "\"");
      }
    }
    return problems;
  }

  /** Whether deploys hold the starts of later waves' new components (setting {@value #HELD_STARTS}, default true). */
  public static boolean heldStarts(Map<String, String> settings) {
    return !"false".equals(settings.get(HELD_STARTS));
  }

  /** The endpoint and its hops after ~/.ssh/config and the explicit settings (worker side). */
  public static SshEndpoint endpoint(Map<String, String> settings) {
    return endpoints(settings).resolveForConnection(settings.get(SSH_HOST));
  }

  /**
   * The resolver for these settings: the config file named by {@code sshConfig} (default {@code ~/.ssh/config}),
   * {@code sshKey}, {@code knownHosts} and {@code acceptNewHostKey} as explicit overrides.
   */
  public static SshEndpoints endpoints(Map<String, String> settings) {
    String home = System.getProperty("user.home");
    String user = System.getProperty("user.name");
    Path configFile = Path.of(settings.getOrDefault(SSH_CONFIG, home + "/.ssh/config"));
    SshConfigFile config;
    try {
      config = SshConfigFile.read(configFile, home);
    } catch (IOException e) {
      throw new SlurmError(SlurmError.Kind.INVALID_SETTING, "cannot read ssh config " + configFile + ": " + e.getMessage());
    }
    String key = settings.get(SSH_KEY);
    String knownHosts = settings.get(KNOWN_HOSTS);
    return new SshEndpoints(config, new SshEndpoints.Overrides(
        key == null || key.isBlank() ? null : Path.of(key),
        knownHosts == null || knownHosts.isBlank() ? null : Path.of(knownHosts),
        "true".equals(settings.get(ACCEPT_NEW_HOST_KEY))), home, user);
  }

  public static SshOptions options(Map<String, String> settings) {
    String home = System.getProperty("user.home");
    return SshOptions.fromEnvironment(Path.of(settings.getOrDefault(KNOWN_HOSTS, home + "/.ssh/known_hosts")),
        "true".equals(settings.get(ACCEPT_NEW_HOST_KEY)));
  }
}

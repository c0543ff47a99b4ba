package ai.dynamo.deploy.activities.slurm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where and as whom to log in, after applying {@code ~/.ssh/config} ({@link SshEndpoints#resolve}), and the hops
 * on the way ({@code ProxyJump}). What the user wrote in {@code [user@]host[:port]} wins over the config file (as
 * on ssh's command line), and {@code --ssh-key} replaces the target's {@code IdentityFile}.
 *
 * @param alias the host as the user wrote it (for messages)
 * @param hostName the host to connect to
 * @param port the port
 * @param user the remote user
 * @param identityFiles private keys to offer, in order
 * @param policy how to authenticate and verify this host (defaults: {@link SshOptions})
 * @param jumps the hosts to pass through first, in order (empty: connect directly)
 */
public record SshEndpoint(String alias, String hostName, int port, String user, List<Path> identityFiles,
    HostPolicy policy, List<SshEndpoint> jumps) {

  /**
   * Per-host choices from the config; null or empty falls back to the connection's {@link SshOptions}.
   *
   * @param identitiesOnly offer only {@code identityFiles} (agent keys only when they are one of them)
   * @param identityAgent the agent socket path, {@code none}, or null for {@code $SSH_AUTH_SOCK}
   * @param knownHosts known_hosts files to check the host key against (a new key is added to the first)
   * @param acceptNew trust and record an unknown host key ({@code StrictHostKeyChecking accept-new})
   * @param connectTimeout TCP connect timeout ({@code ConnectTimeout})
   * @param aliveInterval keepalive interval ({@code ServerAliveInterval})
   * @param aliveCountMax unanswered keepalives before the connection is dropped ({@code ServerAliveCountMax})
   */
  public record HostPolicy(boolean identitiesOnly, String identityAgent, List<Path> knownHosts, Boolean acceptNew,
      Duration connectTimeout, Duration aliveInterval, Integer aliveCountMax) {
    public static final HostPolicy DEFAULTS = new HostPolicy(false, null, List.of(), null, null, null, null);

    public HostPolicy {
      knownHosts = List.copyOf(knownHosts);
    }
  }

  public SshEndpoint {
    identityFiles = List.copyOf(identityFiles);
    jumps = List.copyOf(jumps);
  }

  /** A direct endpoint with the connection's defaults. */
  public SshEndpoint(String alias, String hostName, int port, String user, List<Path> identityFiles) {
    this(alias, hostName, port, user, identityFiles, HostPolicy.DEFAULTS, List.of());
  }

  /** {@code user@host:port}, for messages and locations. */
  public String display() {
    String h = hostName.contains(":") ? "[" + hostName + "]" : hostName;
    return user + "@" + h + ":" + port;
  }

  /** The way there, e.g. {@code jump@bastion:22 -> alice@login1:22}. */
  public String route() {
    List<String> parts = new ArrayList<>();
    for (SshEndpoint j : jumps) parts.add(j.display());
    parts.add(display());
    return String.join(" -> ", parts);
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
    return new SshEndpoints(config, new SshEndpoints.Overrides(keyOverride, null, false), localHome, localUser)
        .resolveForConnection(spec);
  }
}

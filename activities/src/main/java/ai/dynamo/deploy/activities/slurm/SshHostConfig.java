package ai.dynamo.deploy.activities.slurm;

import java.util.List;
import java.util.Map;

/**
 * What {@code ~/.ssh/config} says about one host, as {@code ssh -G HOST} would print it for the keys the deployer
 * honours. Null (or empty) means the file does not set the key; defaults are applied by {@link SshEndpoint}.
 *
 * @param host the host as typed (an alias or a name)
 * @param hostName the host to connect to: {@code HostName} with {@code %h} expanded, else the host; lower-cased
 * @param port {@code Port}
 * @param user {@code User}
 * @param identityFiles every {@code IdentityFile}, in order, as written (tokens expanded by {@link SshEndpoint})
 * @param identitiesOnly {@code IdentitiesOnly yes}: offer only the identity files (agent keys only when they are one)
 * @param identityAgent {@code IdentityAgent} as written ({@code none}, {@code SSH_AUTH_SOCK}, a path)
 * @param proxyJump {@code ProxyJump} as written, null when unset or {@code none}
 * @param userKnownHostsFiles {@code UserKnownHostsFile} entries, as written
 * @param strictHostKeyChecking {@code StrictHostKeyChecking}, lower-cased
 * @param serverAliveInterval {@code ServerAliveInterval} in seconds
 * @param serverAliveCountMax {@code ServerAliveCountMax}
 * @param connectTimeout {@code ConnectTimeout} in seconds
 * @param origins {@code file:line} of each key's value, by lower-cased key (for messages)
 * @param warnings keys that applied to the host but that the deployer does not support, once each, with file and
 *     line
 */
public record SshHostConfig(
    String host,
    String hostName,
    Integer port,
    String user,
    List<String> identityFiles,
    boolean identitiesOnly,
    String identityAgent,
    String proxyJump,
    List<String> userKnownHostsFiles,
    String strictHostKeyChecking,
    Integer serverAliveInterval,
    Integer serverAliveCountMax,
    Integer connectTimeout,
    Map<String, String> origins,
    List<String> warnings) {

  public SshHostConfig {
    identityFiles = List.copyOf(identityFiles);
    userKnownHostsFiles = List.copyOf(userKnownHostsFiles);
    origins = Map.copyOf(origins);
    warnings = List.copyOf(warnings);
  }

  /** Where a key's value came from ({@code file:line}), or {@code ~/.ssh/config} when unknown. */
  public String origin(String key) {
    return origins.getOrDefault(key.toLowerCase(java.util.Locale.ROOT), "the ssh config");
  }
}

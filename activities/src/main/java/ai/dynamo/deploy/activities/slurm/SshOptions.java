package ai.dynamo.deploy.activities.slurm;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the worker connects, beyond the endpoint.
 *
 * @param knownHosts the OpenSSH known_hosts file the host key is checked against (hashed entries work)
 * @param acceptNewHostKey opt-in: an unknown host key is appended to {@code knownHosts} instead of refused (a
 *     changed key is refused regardless)
 * @param passphrase the passphrase of an encrypted key, or null (read from the environment variable
 *     {@link #PASSPHRASE_ENV} by {@link #fromEnvironment}; never a setting, so it never reaches history)
 * @param connectTimeout TCP connect timeout
 * @param keepAlive interval of SSH keepalive messages; a connection silent for several intervals is dropped
 */
public record SshOptions(
    Path knownHosts, boolean acceptNewHostKey, char[] passphrase, Duration connectTimeout, Duration keepAlive) {

  /** Environment variable of the worker holding the key passphrase, when the key is encrypted. */
  public static final String PASSPHRASE_ENV = "DYNAMO_SSH_KEY_PASSPHRASE";

  public static SshOptions fromEnvironment(Path knownHosts, boolean acceptNewHostKey) {
    String p = System.getenv(PASSPHRASE_ENV);
    return new SshOptions(knownHosts, acceptNewHostKey, p == null ? null : p.toCharArray(),
        Duration.ofSeconds(20), Duration.ofSeconds(15));
  }
}

package ai.dynamo.deploy.activities.slurm;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the worker connects, beyond the endpoint; each hop's {@link SshEndpoint.HostPolicy} overrides these.
 *
 * @param knownHosts the OpenSSH known_hosts file the host key is checked against (hashed entries work)
 * @param acceptNewHostKey opt-in: an unknown host key is appended to {@code knownHosts} instead of refused (a
 *     changed key is refused regardless)
 * @param passphrase the passphrase of an encrypted key, or null (read from the environment variable
 *     {@link #PASSPHRASE_ENV} by {@link #fromEnvironment}; never a setting, so it never reaches history)
 * @param connectTimeout TCP connect timeout
 * @param keepAlive interval of SSH keepalive messages; a connection silent for several intervals is dropped
 * @param agentSocket the ssh-agent socket ({@code SSH_AUTH_SOCK}), or null for none
 * @param commandTimeout how long one remote command may take before it is abandoned with an error (null: 120 s,
 *     room for sbatch under a loaded controller; the CLI's {@code logs} uses {@code --request-timeout})
 */
public record SshOptions(
    Path knownHosts, boolean acceptNewHostKey, char[] passphrase, Duration connectTimeout, Duration keepAlive,
    Path agentSocket, Duration commandTimeout) {

  /** How long connecting to a login node or jump host may take, unless its ssh config says {@code ConnectTimeout}. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** How long one command may take on the worker (sbatch waits for a busy controller). */
  public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

  public SshOptions {
    if (commandTimeout == null) commandTimeout = COMMAND_TIMEOUT;
  }

  /** Without a command timeout of its own (the default). */
  public SshOptions(Path knownHosts, boolean acceptNewHostKey, char[] passphrase, Duration connectTimeout,
      Duration keepAlive, Path agentSocket) {
    this(knownHosts, acceptNewHostKey, passphrase, connectTimeout, keepAlive, agentSocket, null);
  }

  /** Environment variable of the worker holding the key passphrase, when the key is encrypted. */
  public static final String PASSPHRASE_ENV = "DYNAMO_SSH_KEY_PASSPHRASE";
  /** The worker's ssh-agent, as for ssh. */
  public static final String AGENT_ENV = "SSH_AUTH_SOCK";

  /** Without an agent. */
  public SshOptions(
      Path knownHosts, boolean acceptNewHostKey, char[] passphrase, Duration connectTimeout, Duration keepAlive) {
    this(knownHosts, acceptNewHostKey, passphrase, connectTimeout, keepAlive, null);
  }

  public static SshOptions fromEnvironment(Path knownHosts, boolean acceptNewHostKey) {
    String p = System.getenv(PASSPHRASE_ENV);
    String agent = System.getenv(AGENT_ENV);
    return new SshOptions(knownHosts, acceptNewHostKey, p == null ? null : p.toCharArray(),
        CONNECT_TIMEOUT, Duration.ofSeconds(15), agent == null || agent.isBlank() ? null : Path.of(agent));
  }

  /** The same with another agent socket (tests, and workers that name one explicitly). */
  public SshOptions withAgent(Path socket) {
    return new SshOptions(knownHosts, acceptNewHostKey, passphrase, connectTimeout, keepAlive, socket, commandTimeout);
  }

  /** The same with another bound on each command. */
  public SshOptions withCommandTimeout(Duration timeout) {
    return new SshOptions(knownHosts, acceptNewHostKey, passphrase, connectTimeout, keepAlive, agentSocket, timeout);
  }
}

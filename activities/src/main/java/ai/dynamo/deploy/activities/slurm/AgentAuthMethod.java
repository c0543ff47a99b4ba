package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.util.List;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.common.Message;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.method.AbstractAuthMethod;

/**
 * RFC 4252 {@code publickey} authentication with a key held by ssh-agent: the query carries the public key; when
 * the server accepts it, the agent signs the session data and the signed request follows.
 */
final class AgentAuthMethod extends AbstractAuthMethod {
  private final SshAgent agent;
  private final SshAgent.Identity identity;

  AgentAuthMethod(SshAgent agent, SshAgent.Identity identity) {
    super("publickey");
    this.agent = agent;
    this.identity = identity;
  }

  @Override
  protected SSHPacket buildReq() throws UserAuthException {
    return request(false);
  }

  @Override
  public void handle(Message cmd, SSHPacket buf) throws UserAuthException, TransportException {
    if (cmd != Message.USERAUTH_60) {
      super.handle(cmd, buf);
      return;
    }
    SSHPacket signed = request(true);
    byte[] data = new Buffer.PlainBuffer().putString(params.getTransport().getSessionID()).putBuffer(signed)
        .getCompactData();
    try {
      signed.putString(agent.sign(identity.blob(), data, flags(algorithm())));
    } catch (IOException e) {
      throw new UserAuthException(e.getMessage(), e);
    }
    params.getTransport().write(signed);
  }

  private SSHPacket request(boolean signed) throws UserAuthException {
    return super.buildReq().putBoolean(signed).putString(algorithm()).putString(identity.blob());
  }

  /** The signature algorithm both sides prefer for this key type (rsa-sha2-512 over ssh-rsa, ...). */
  private String algorithm() throws UserAuthException {
    KeyType type = KeyType.fromString(identity.type());
    try {
      List<com.hierynomus.sshj.key.KeyAlgorithm> algorithms = params.getTransport().getClientKeyAlgorithms(type);
      if (!algorithms.isEmpty()) return algorithms.get(0).getKeyAlgorithm();
    } catch (TransportException e) {
      throw new UserAuthException("no signature algorithm for agent key " + identity, e);
    }
    return identity.type();
  }

  private static int flags(String algorithm) {
    return switch (algorithm) {
      case "rsa-sha2-512" -> SshAgent.RSA_SHA2_512;
      case "rsa-sha2-256" -> SshAgent.RSA_SHA2_256;
      default -> 0;
    };
  }

  @Override
  public String toString() {
    return "agent key " + identity;
  }
}

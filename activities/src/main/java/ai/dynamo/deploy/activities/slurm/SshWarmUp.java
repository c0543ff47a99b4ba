package ai.dynamo.deploy.activities.slurm;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.List;
import java.util.Map;
import javax.crypto.KeyAgreement;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.common.SecurityUtils;

/**
 * The SSH part of the Slurm target's warm-up ({@link SlurmTarget#warmUp}): what a worker's first login would otherwise
 * load and run for the first time while a deploy waits, done without contacting any host. It builds the shared sshj
 * configuration ({@link SshHopLogin#config}), computes a login key ({@link SshLoginKey}, whose records' methods are
 * linked on first use), and runs the key exchange and host key algorithms that OpenSSH negotiates by default
 * (curve25519 and ed25519) often enough for the JIT to compile their arithmetic: interpreted, a fresh worker's first
 * key exchange took about 50 ms of CPU.
 */
final class SshWarmUp {
  /** Enough rounds for the field arithmetic to be compiled; each takes a few milliseconds once it is. */
  private static final int CRYPTO_ROUNDS = 24;

  private SshWarmUp() {}

  static void run() {
    DefaultConfig config = SshHopLogin.config();
    config.getKeyExchangeFactories().forEach(Factory::create);
    config.getCipherFactories().forEach(Factory::create);
    config.getMACFactories().forEach(Factory::create);
    config.getKeyAlgorithms().forEach(Factory::create);
    new SSHClient(config); // never connected: loads the transport's classes
    SshLoginKey.of(new SshEndpoint("warm-up", "example.invalid", 22, "warm-up", List.of()),
        SlurmSettings.options(Map.of()));
    try {
      crypto(CRYPTO_ROUNDS);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the SSH algorithms' warm-up failed: " + e.getMessage(), e);
    }
  }

  /** Key agreements and signatures as a login makes them, with keys made here and thrown away. */
  private static void crypto(int rounds) throws GeneralSecurityException {
    KeyPairGenerator exchangeKeys = SecurityUtils.getKeyPairGenerator("X25519");
    KeyPairGenerator signingKeys = SecurityUtils.getKeyPairGenerator("Ed25519");
    byte[] message = "dynamo warm-up".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < rounds; i++) {
      KeyPair ours = exchangeKeys.generateKeyPair();
      KeyPair theirs = exchangeKeys.generateKeyPair();
      KeyAgreement agreement = SecurityUtils.getKeyAgreement("X25519");
      agreement.init(ours.getPrivate());
      agreement.doPhase(theirs.getPublic(), true);
      agreement.generateSecret();
      KeyPair signer = signingKeys.generateKeyPair();
      Signature sign = SecurityUtils.getSignature("Ed25519");
      sign.initSign(signer.getPrivate());
      sign.update(message);
      byte[] signature = sign.sign();
      Signature verify = SecurityUtils.getSignature("Ed25519");
      verify.initVerify(signer.getPublic());
      verify.update(message);
      if (!verify.verify(signature)) throw new GeneralSecurityException("an ed25519 signature did not verify");
    }
  }
}

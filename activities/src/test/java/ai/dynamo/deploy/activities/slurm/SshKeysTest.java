package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys in OpenSSH and PEM format, plain and encrypted, with the passphrase from the worker's environment. */
class SshKeysTest {
  @TempDir Path tmp;

  @Test
  void encryptedOpenSshAndPemKeysLoadWithThePassphraseAndOnlyWithIt() throws Exception {
    for (String[] kind : new String[][] {{"ed25519", "RFC4716"}, {"rsa", "PEM"}, {"ecdsa", "PKCS8"}}) {
      Path key = tmp.resolve("id_" + kind[0] + "_" + kind[1]);
      exec("ssh-keygen", "-q", "-t", kind[0], "-m", kind[1], "-N", "s3cret phrase", "-f", key.toString());
      byte[] expected = Base64.getDecoder().decode(Files.readString(Path.of(key + ".pub")).split(" ")[1]);
      try (SSHClient c = new SSHClient()) {
        var loaded = SshHopLogin.loadKey(c, key, "s3cret phrase".toCharArray());
        assertArrayEquals(expected, new Buffer.PlainBuffer().putPublicKey(loaded.getPublic()).getCompactData(),
            kind[0] + "/" + kind[1]);

        SlurmError missing = assertThrows(SlurmError.class, () -> SshHopLogin.loadKey(c, key, null));
        assertEquals(SlurmError.Kind.AUTHENTICATION_REFUSED, missing.kind());
        assertTrue(missing.getMessage().contains("DYNAMO_SSH_KEY_PASSPHRASE"), missing.getMessage());

        SlurmError wrong = assertThrows(SlurmError.class, () -> SshHopLogin.loadKey(c, key, "nope".toCharArray()));
        assertTrue(wrong.getMessage().contains("wrong passphrase?"), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("nope"), "the passphrase is never in a message");
      }
    }
  }

  @Test
  void plainKeysNeedNoPassphrase() throws Exception {
    Path key = tmp.resolve("plain");
    exec("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", key.toString());
    try (SSHClient c = new SSHClient()) {
      assertTrue(SshHopLogin.loadKey(c, key, null).getPublic() != null);
    }
  }

  private static void exec(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
  }
}

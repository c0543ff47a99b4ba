package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPublickey;

/**
 * Logs in to one hop by public key, as OpenSSH orders it: the agent's keys first ({@code IdentityAgent}, else
 * {@code $SSH_AUTH_SOCK}; with {@code IdentitiesOnly} only those that are one of the identity files), then the
 * identity files the agent does not hold. A refusal says what was offered, what was skipped and why, and what the
 * server accepts.
 */
final class SshAuthenticator {
  private SshAuthenticator() {}

  static void authenticate(SSHClient c, SshEndpoint hop, String label, SshOptions options) throws IOException {
    List<AuthMethod> methods = new ArrayList<>();
    List<String> offered = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    Map<String, Path> filesByBlob = new HashMap<>();
    for (Path p : hop.identityFiles()) {
      String blob = publicBlob(p);
      if (blob != null) filesByBlob.put(blob, p);
    }
    List<String> inAgent = new ArrayList<>();
    Path socket = agentSocket(hop, options);
    if (socket != null) {
      SshAgent agent = new SshAgent(socket);
      try {
        List<String> keys = new ArrayList<>();
        for (SshAgent.Identity id : agent.identities()) {
          String blob = Base64.getEncoder().encodeToString(id.blob());
          if (hop.policy().identitiesOnly() && !filesByBlob.containsKey(blob)) continue;
          inAgent.add(blob);
          methods.add(new AgentAuthMethod(agent, id));
          keys.add(id.toString());
        }
        offered.add("ssh-agent " + socket + (keys.isEmpty() ? " (no usable key)" : " with " + keys));
      } catch (IOException e) {
        skipped.add("ssh-agent " + socket + ": " + e.getMessage());
      }
    }
    List<Path> files = new ArrayList<>();
    SlurmError keyProblem = null;
    for (Path p : hop.identityFiles()) {
      if (inAgent.contains(publicBlob(p))) continue; // offered through the agent, which holds it decrypted
      if (!Files.isReadable(p)) {
        skipped.add(p + " (cannot be read)");
        keyProblem = keyProblem != null ? keyProblem
            : new SlurmError(SlurmError.Kind.AUTHENTICATION_REFUSED, "ssh key " + p + " cannot be read");
        continue;
      }
      try {
        methods.add(new AuthPublickey(SshHopLogin.loadKey(c, p, options.passphrase())));
        files.add(p);
      } catch (SlurmError e) {
        skipped.add(p + " (" + e.getMessage().replace("cannot read ssh key " + p + "; ", "") + ")");
        keyProblem = keyProblem != null ? keyProblem : e;
      }
    }
    if (!files.isEmpty()) offered.add("key file(s) " + files);
    if (methods.isEmpty()) {
      if (keyProblem != null && skipped.size() == 1) throw keyProblem;
      throw new SlurmError(SlurmError.Kind.AUTHENTICATION_REFUSED, "no ssh key to offer to " + label
          + (skipped.isEmpty() ? "" : " (skipped: " + String.join("; ", skipped) + ")")
          + ": give one with --ssh-key, an IdentityFile in the ssh config, ~/.ssh/id_ed25519, or add it to"
          + " ssh-agent (SSH_AUTH_SOCK or IdentityAgent)");
    }
    try {
      c.auth(hop.user(), methods);
    } catch (UserAuthException e) {
      throw new SlurmError(SlurmError.Kind.AUTHENTICATION_REFUSED, "ssh login to " + label + " as " + hop.user()
          + " refused. Tried publickey with " + String.join(" and ", offered)
          + (skipped.isEmpty() ? "" : "; skipped " + String.join("; ", skipped))
          + "; the server accepts: " + String.join(",", c.getUserAuth().getAllowedMethods())
          + ". Authorise one of these keys for " + hop.user() + " on that host, add the right key to ssh-agent"
          + " (ssh-add KEY), or name it with --ssh-key or IdentityFile"
          + (options.passphrase() == null && hasEncrypted(skipped)
              ? " (an encrypted key needs ssh-agent or " + SshOptions.PASSPHRASE_ENV + ")" : ""), e);
    }
  }

  private static boolean hasEncrypted(List<String> skipped) {
    return skipped.stream().anyMatch(s -> s.contains(SshOptions.PASSPHRASE_ENV));
  }

  /** The agent to ask: {@code IdentityAgent} for this host, else the worker's {@code SSH_AUTH_SOCK}. */
  static Path agentSocket(SshEndpoint hop, SshOptions options) {
    String configured = hop.policy().identityAgent();
    if ("none".equals(configured)) return null;
    if (configured != null) return Path.of(configured);
    return options.agentSocket();
  }

  /** The key's public blob (base64) from {@code FILE.pub}, or null when there is none. */
  static String publicBlob(Path key) {
    Path pub = Path.of(key + ".pub");
    try {
      if (!Files.isReadable(pub)) return null;
      String[] fields = Files.readString(pub).strip().split("\\s+");
      if (fields.length < 2) return null;
      byte[] blob = Base64.getDecoder().decode(fields[1]);
      new Buffer.PlainBuffer(blob).readPublicKey(); // a real key, not a stray file
      return fields[1];
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}

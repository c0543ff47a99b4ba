package ai.dynamo.deploy.activities.slurm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a destination and {@code ~/.ssh/config} into an {@link SshEndpoint} with its {@code ProxyJump} hops, as
 * OpenSSH does: {@code ProxyJump a,b} reaches {@code b} through {@code a} and the target through {@code b}; the
 * first hop's own {@code ProxyJump} is honoured (chains nest), later hops' are replaced by the chain. Settings the
 * user gave explicitly (a key, a known_hosts file, accepting new host keys) win over the config.
 */
public final class SshEndpoints {
  /** Hops in one chain, nested ones included: more is a loop in the config. */
  static final int MAX_HOPS = 8;

  /**
   * What the user set explicitly.
   *
   * @param key {@code --ssh-key}: the target's only key file, or null
   * @param knownHosts {@code --known-hosts}: the file for every hop, or null
   * @param acceptNew {@code --accept-new-host-key}: for every hop
   */
  public record Overrides(Path key, Path knownHosts, boolean acceptNew) {}

  private final SshConfigFile config;
  private final Overrides overrides;
  private final String localHome;
  private final String localUser;
  private final Set<String> warnings = new LinkedHashSet<>();

  public SshEndpoints(SshConfigFile config, Overrides overrides, String localHome, String localUser) {
    this.config = config;
    this.overrides = overrides;
    this.localHome = localHome;
    this.localUser = localUser;
  }

  /** The config's warnings (unsupported keys with file and line) for every host resolved so far. */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** @throws SlurmError INVALID_SETTING for a bad destination, a bad value in the config, a jump loop */
  public SshEndpoint resolve(String spec) {
    return hop(SshHostSpec.parse(spec), true, new ArrayList<>());
  }

  /** As {@link #resolve}, and the {@code --ssh-key} file must be readable here (on the worker). */
  public SshEndpoint resolveForConnection(String spec) {
    if (overrides.key() != null && !Files.isReadable(overrides.key())) {
      throw new SlurmError(SlurmError.Kind.INVALID_SETTING, "ssh key " + overrides.key() + " cannot be read");
    }
    return resolve(spec);
  }

  private SshEndpoint hop(SshHostSpec spec, boolean isTarget, List<String> seen) {
    if (seen.size() >= MAX_HOPS) {
      throw new SlurmError(SlurmError.Kind.INVALID_SETTING,
          "ProxyJump chain " + String.join(" -> ", seen) + " -> " + spec.host() + " is longer than " + MAX_HOPS
              + " hops (a loop in the ssh config?)");
    }
    SshHostConfig c = config.lookup(spec.host(), localUser);
    warnings.addAll(c.warnings());
    String user = spec.user() != null ? spec.user() : c.user() != null ? c.user() : localUser;
    int port = spec.port() != null ? spec.port() : c.port() != null ? c.port() : 22;
    String hostName = c.hostName();
    Tokens tokens = new Tokens(localHome, localUser, hostName, user, port, spec.host());

    List<Path> keys = new ArrayList<>();
    if (isTarget && overrides.key() != null) {
      keys.add(overrides.key());
    } else if (!c.identityFiles().isEmpty()) {
      for (String f : c.identityFiles()) keys.add(Path.of(tokens.expand(f, c.origin("IdentityFile"))));
    } else {
      for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
        Path p = Path.of(localHome, ".ssh", name);
        if (Files.isReadable(p)) keys.add(p);
      }
    }
    List<Path> knownHosts = new ArrayList<>();
    if (overrides.knownHosts() != null) {
      knownHosts.add(overrides.knownHosts());
    } else {
      for (String f : c.userKnownHostsFiles()) {
        // "none": no file, so every host key is unknown (and refused unless accept-new)
        knownHosts.add(Path.of(f.equalsIgnoreCase("none") ? "/dev/null" : tokens.expand(f, c.origin("UserKnownHostsFile"))));
      }
      // none configured: the connection's default (the knownHosts setting, else ~/.ssh/known_hosts)
    }
    SshEndpoint.HostPolicy policy = new SshEndpoint.HostPolicy(c.identitiesOnly(),
        agent(c, tokens), knownHosts, overrides.acceptNew() || acceptNew(c),
        c.connectTimeout() == null ? null : Duration.ofSeconds(c.connectTimeout()),
        c.serverAliveInterval() == null || c.serverAliveInterval() == 0 ? null
            : Duration.ofSeconds(c.serverAliveInterval()),
        c.serverAliveCountMax());

    List<String> path = new ArrayList<>(seen);
    path.add(spec.host());
    List<SshEndpoint> jumps = new ArrayList<>();
    if (c.proxyJump() != null) {
      String[] hops = c.proxyJump().split(",");
      for (int i = 0; i < hops.length; i++) {
        SshHostSpec hs;
        try {
          hs = SshHostSpec.parse(hops[i]);
        } catch (SlurmError e) {
          throw new SlurmError(SlurmError.Kind.INVALID_SETTING,
              "ssh config " + c.origin("ProxyJump") + ": ProxyJump hop: " + e.getMessage());
        }
        SshEndpoint j = hop(hs, false, path);
        if (i == 0) {
          jumps.addAll(j.jumps()); // the first hop's own ProxyJump comes first
        }
        jumps.add(new SshEndpoint(j.alias(), j.hostName(), j.port(), j.user(), j.identityFiles(), j.policy(),
            List.of()));
        path.add(hs.host());
      }
    }
    return new SshEndpoint(spec.host(), hostName, port, user, keys, policy, jumps);
  }

  private static boolean acceptNew(SshHostConfig c) {
    String v = c.strictHostKeyChecking();
    if (v == null) return false;
    return switch (v) {
      case "yes", "true", "ask" -> false;
      case "accept-new" -> true;
      case "no", "off", "false" -> throw new SlurmError(SlurmError.Kind.INVALID_SETTING,
          "ssh config " + c.origin("StrictHostKeyChecking") + ": StrictHostKeyChecking " + v + " is refused: the"
              + " deployer always verifies host keys. Use StrictHostKeyChecking accept-new (or"
              + " --accept-new-host-key) to trust and record a new host key; a changed key is always refused.");
      default -> throw new SlurmError(SlurmError.Kind.INVALID_SETTING, "ssh config "
          + c.origin("StrictHostKeyChecking") + ": StrictHostKeyChecking must be yes, ask or accept-new, not " + v);
    };
  }

  /** {@code IdentityAgent}: none, SSH_AUTH_SOCK (the environment's), {@code $VAR}, or a path with tokens. */
  private static String agent(SshHostConfig c, Tokens tokens) {
    String v = c.identityAgent();
    if (v == null || v.equals("SSH_AUTH_SOCK")) return null;
    if (v.equalsIgnoreCase("none")) return "none";
    if (v.startsWith("$")) {
      String env = System.getenv(v.substring(1));
      return env == null || env.isBlank() ? "none" : env;
    }
    return tokens.expand(v, c.origin("IdentityAgent"));
  }

  /** The {@code %} tokens and {@code ~} that IdentityFile, IdentityAgent and UserKnownHostsFile take. */
  record Tokens(String home, String localUser, String hostName, String remoteUser, int port, String alias) {
    String expand(String value, String where) {
      String p = SshConfigFile.expandTilde(value, home);
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < p.length(); i++) {
        char c = p.charAt(i);
        if (c != '%') {
          out.append(c);
          continue;
        }
        if (i + 1 >= p.length()) throw bad(where, value, "a lone %");
        char t = p.charAt(++i);
        switch (t) {
          case 'd' -> out.append(home);
          case 'u' -> out.append(localUser);
          case 'h' -> out.append(hostName);
          case 'r' -> out.append(remoteUser);
          case 'p' -> out.append(port);
          case 'n' -> out.append(alias);
          case '%' -> out.append('%');
          default -> throw bad(where, value, "%" + t + " (supported: %d %u %h %r %p %n %%)");
        }
      }
      return out.toString();
    }

    private static SlurmError bad(String where, String value, String what) {
      return new SlurmError(SlurmError.Kind.INVALID_SETTING,
          "ssh config " + where + ": \"" + value + "\" has an unsupported token " + what);
    }
  }
}

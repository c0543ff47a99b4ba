package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.slurm.RemoteShell.Result;
import ai.dynamo.deploy.activities.slurm.RemoteShell.Retry;
import ai.dynamo.deploy.ir.Readiness;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The readiness check of components' ports, run <em>from the login host</em> against the nodes that run the jobs
 * (compute nodes are usually not reachable from where the worker runs). All probes of one poll go in one command and
 * run in parallel, each bounded by {@link #TIMEOUT_SECONDS}, so a poll stays short however many replicas there are.
 * Only bash is needed on the login host: a TCP connect through {@code /dev/tcp}, and for HTTP rules a plain GET whose
 * status line must be 2xx or 3xx.
 */
public final class PortProbe {
  static final int TIMEOUT_SECONDS = 5;
  private static final String TCP = "exec 3<>/dev/tcp/\"$1\"/\"$2\"";
  private static final String HTTP = TCP
      + " && printf 'GET %s HTTP/1.0\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n' \"$3\" \"$1\" >&3"
      + " && head -n 1 <&3";

  /** One check: a rule on a host. */
  public record Target(Readiness rule, String host) {}

  private final RemoteShell shell;

  public PortProbe(RemoteShell shell) {
    this.shell = shell;
  }

  /** Whether the rule holds for a process on {@code host}; a RUNNING rule holds trivially. */
  public boolean ready(Readiness rule, String host) throws IOException {
    return ready(List.of(new Target(rule, host))).get(0);
  }

  /** The result of every check, in order, from one command on the login node. */
  public List<Boolean> ready(List<Target> targets) throws IOException {
    List<Boolean> results = new ArrayList<>();
    StringBuilder cmd = new StringBuilder();
    for (int i = 0; i < targets.size(); i++) {
      Target t = targets.get(i);
      results.add(t.rule().type() == Readiness.Type.RUNNING);
      if (t.rule().type() == Readiness.Type.RUNNING) continue;
      boolean http = t.rule().type() == Readiness.Type.HTTP;
      String path = t.rule().path() == null || t.rule().path().isBlank() ? "/" : t.rule().path();
      String probe = "timeout " + TIMEOUT_SECONDS + " bash -c " + Shell.quote(http ? HTTP : TCP) + " probe "
          + Shell.quote(t.host()) + " " + t.rule().port() + (http ? " " + Shell.quote(path) : "");
      // HTTP: the status line must be 2xx/3xx; TCP: the connect must succeed.
      String verdict = http
          ? "s=$(" + probe + " 2>/dev/null); case \"$s\" in HTTP/*' '[23]*) echo " + i + " ok;; *) echo " + i + " no;; esac"
          : "if " + probe + " >/dev/null 2>&1; then echo " + i + " ok; else echo " + i + " no; fi";
      cmd.append("( ").append(verdict).append(" ) & ");
    }
    if (cmd.length() == 0) return results;
    Result r = shell.run(cmd.append("wait").toString(), Retry.SAFE);
    for (String line : r.stdout().split("\n")) {
      String[] f = line.strip().split(" ");
      if (f.length == 2 && f[0].matches("[0-9]+") && f[1].equals("ok")) results.set(Integer.parseInt(f[0]), true);
    }
    return results;
  }
}

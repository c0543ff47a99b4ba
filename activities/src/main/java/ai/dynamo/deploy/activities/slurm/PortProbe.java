package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.slurm.RemoteShell.Result;
import ai.dynamo.deploy.activities.slurm.RemoteShell.Retry;
import ai.dynamo.deploy.ir.Readiness;
import java.io.IOException;

/**
 * The readiness check of a component's port, run <em>from the login host</em> against the node that runs the job
 * (compute nodes are usually not reachable from where the worker runs). It needs only bash on the login host: a
 * TCP connect through {@code /dev/tcp}, and for HTTP rules a plain GET whose status line must be 2xx or 3xx.
 */
public final class PortProbe {
  private static final String TCP = "exec 3<>/dev/tcp/\"$1\"/\"$2\"";
  private static final String HTTP = TCP
      + " && printf 'GET %s HTTP/1.0\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n' \"$3\" \"$1\" >&3"
      + " && head -n 1 <&3";

  private final RemoteShell shell;

  public PortProbe(RemoteShell shell) {
    this.shell = shell;
  }

  /** Whether the rule holds for a process on {@code host}; a RUNNING rule holds trivially. */
  public boolean ready(Readiness rule, String host) throws IOException {
    if (rule.type() == Readiness.Type.RUNNING) return true;
    boolean http = rule.type() == Readiness.Type.HTTP;
    String path = rule.path() == null || rule.path().isBlank() ? "/" : rule.path();
    String cmd = "timeout 5 bash -c " + Shell.quote(http ? HTTP : TCP) + " probe " + Shell.quote(host) + " "
        + rule.port() + (http ? " " + Shell.quote(path) : "");
    Result r = shell.run(cmd, Retry.SAFE);
    if (!r.ok()) return false;
    if (!http) return true;
    String[] status = r.stdout().strip().split(" ");
    return status.length >= 2 && status[0].startsWith("HTTP/") && (status[1].startsWith("2") || status[1].startsWith("3"));
  }
}

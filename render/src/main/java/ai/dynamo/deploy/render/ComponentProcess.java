package ai.dynamo.deploy.render;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.InputKind;
import ai.dynamo.deploy.ir.Parameter;
import ai.dynamo.deploy.ir.Readiness;
import java.util.ArrayList;
import java.util.List;

/**
 * How a component becomes a process, the same on every target (the README's mapping table):
 * {@code cmd + in=<input> + out=<output> + one --kebab-case flag per parameter}, and for multi-node groups
 * {@code --num-nodes N --node-rank R --leader-addr HOST:PORT} computed by the deployer.
 */
public final class ComponentProcess {
  private ComponentProcess() {}

  /** Leader port used when the user did not write a {@code leader_addr}. */
  public static final int DEFAULT_LEADER_PORT = 29500;

  /** The parameter the design note spells as a repeated short flag ({@code verbosity: 2} is {@code -vv}). */
  static final String VERBOSITY = "verbosity";

  /**
   * The argument vector without the multi-node flags: {@code cmd}, {@code in=}, {@code out=}, then the
   * parameters in the user's order. {@code true} becomes a bare flag, {@code false} is left out.
   */
  public static List<String> argv(Component c) {
    List<String> argv = new ArrayList<>(c.cmd());
    argv.add("in=" + c.input());
    argv.add("out=" + c.output());
    for (Parameter p : c.parameters()) {
      if (p.key().equals(VERBOSITY) && p.type() == Parameter.Type.INTEGER) {
        int level = Integer.parseInt(p.value());
        if (level > 0) argv.add("-" + "v".repeat(level));
        continue;
      }
      if (p.isFalse()) continue;
      argv.add(flag(p.key()));
      if (!p.isTrue()) argv.add(p.value());
    }
    return argv;
  }

  /** {@code tensor_parallel_size} becomes {@code --tensor-parallel-size}. */
  public static String flag(String key) {
    return "--" + key.replace('_', '-');
  }

  /** The flags every node of a multi-node group gets; rank and leader address are target expressions. */
  public static List<String> multiNodeArgs(int numNodes, String nodeRank, String leaderAddr) {
    return multiNodeArgs(Integer.toString(numNodes), nodeRank, leaderAddr);
  }

  /** As {@link #multiNodeArgs(int, String, String)}, with the group size as a target expression too. */
  public static List<String> multiNodeArgs(String numNodes, String nodeRank, String leaderAddr) {
    return List.of("--num-nodes", numNodes, "--node-rank", nodeRank, "--leader-addr", leaderAddr);
  }

  /** The leader's port: the port of the user's {@code leader_addr}, else {@link #DEFAULT_LEADER_PORT}. */
  public static int leaderPort(Component c) {
    String addr = c.multiNode().userLeaderAddr();
    if (addr == null) return DEFAULT_LEADER_PORT;
    return Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1));
  }

  /**
   * The leader host the user pinned, or null when the deployer chooses it. A {@code leader_addr} on
   * {@code 127.0.0.1} or {@code localhost} only contributes its port: on a real cluster the leader is elsewhere.
   */
  public static String pinnedLeaderHost(Component c) {
    String addr = c.multiNode().userLeaderAddr();
    if (addr == null) return null;
    String host = addr.substring(0, addr.lastIndexOf(':'));
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    if (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1")) return null;
    return host;
  }

  /** The {@code port} parameter, or null. */
  public static Integer port(Component c) {
    Parameter p = c.parameter("port");
    return p != null && p.type() == Parameter.Type.INTEGER ? Integer.valueOf(p.value()) : null;
  }

  /**
   * How long a process under {@code running: true} must have run to be ready ({@link Readiness#runningSeconds()}
   * gives the stated {@code running: {seconds: N}} or this): one that ends sooner (a command that does not exist, a
   * crash at start) is never reported ready. Slurm: the job checks it on the node; Kubernetes: the Deployment's
   * {@code minReadySeconds}.
   */
  public static final int RUNNING_READY_SECONDS = Readiness.DEFAULT_RUNNING_SECONDS;

  /**
   * The readiness rule in force: the user's explicit block; else an {@code http} input with a {@code port} is
   * ready when that port accepts connections; else a multi-node leader is ready when its leader port does; else
   * ready when running.
   */
  public static Readiness readiness(Component c) {
    if (c.readiness() != null) return c.readiness();
    Integer port = port(c);
    if (c.inputKind() == InputKind.HTTP && port != null) return new Readiness(Readiness.Type.TCP, port, null);
    if (c.multiNode().isMultiNode()) return new Readiness(Readiness.Type.TCP, leaderPort(c), null);
    return new Readiness(Readiness.Type.RUNNING, null, null);
  }
}

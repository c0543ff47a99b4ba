package ai.dynamo.deploy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;

/**
 * Ports for the servers a test starts on the local cluster (all its nodes share this host): random ports between
 * {@link #FLOOR} and the start of the kernel's ephemeral range ({@code ip_local_port_range}, 32768 by default), each
 * checked free when taken. Not from the kernel's {@code bind(0)}: that hands out ephemeral ports, which every other
 * {@code bind(0)} on the host (srun's and slurmstepd's own listeners among them) and every outgoing connection may be
 * given next, between the moment a test picks a port and the moment its job binds it. Seen: a job failing with
 * "port 45367 on node1 answers before this job's process started". Below the ephemeral range only a program that
 * asks for a port by number takes one. The floor keeps clear of the fixed ports of the tests, the benchmarks and the
 * demo graphs (all below it), and the random choice keeps the runs of several engineers at once apart.
 *
 * <p>A port is chosen long before the Slurm job binds it, so nothing else may be handed it in between: each port is
 * handed out at most once per JVM (two tests of one run never share one, even after the first test's job is gone).
 * Another process may still take it in between; the job script checks its port is free and its start fails saying
 * so.
 */
public final class FreePorts {
  /** The ports handed out in this JVM. */
  private static final FreePorts JVM = new FreePorts();
  /** Bounds the search when the offers keep being ports handed out before, or taken. */
  static final int MAX_OFFERS = 1000;
  /** The lowest port offered: above every fixed port of the tests, benchmarks and demo graphs. */
  static final int FLOOR = 27000;

  /** Never released: a run uses a few hundred of the ~5,700 ports below the ephemeral range. */
  private final Set<Integer> handedOut = new HashSet<>();

  FreePorts() {}

  /** One port, free now and never handed out before in this JVM. */
  public static int take() {
    return take(1)[0];
  }

  /** {@code n} distinct ports, each free now and never handed out before in this JVM. */
  public static int[] take(int n) {
    synchronized (JVM) {
      try (RangeOffers offers = new RangeOffers(FLOOR, ephemeralStart())) {
        return JVM.pick(n, offers);
      }
    }
  }

  /** {@code n} ports from {@code offers} that this instance never handed out (ports offered again are skipped). */
  synchronized int[] pick(int n, IntSupplier offers) {
    int[] ports = new int[n];
    int found = 0;
    for (int offered = 0; found < n; offered++) {
      if (offered == MAX_OFFERS) {
        throw new IllegalStateException("no new free port in " + MAX_OFFERS + " offers below the ephemeral range; "
            + handedOut.size() + " handed out in this JVM already");
      }
      int port = offers.getAsInt();
      if (handedOut.add(port)) ports[found++] = port;
    }
    return ports;
  }

  /** The first port of the kernel's ephemeral range (Linux: ip_local_port_range; 32768 where it cannot be read). */
  static int ephemeralStart() {
    try {
      // readAllLines, not readString: procfs files report size 0, and readString read a single byte of this one
      String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).strip();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32768;
    }
  }

  /**
   * Random ports in {@code [from, to)} that are free when offered: each offer is a listening socket bound to its port
   * by number, all held open until closed, so every offer is a different port that was free when offered. A port
   * that is taken is passed over.
   */
  private static final class RangeOffers implements IntSupplier, AutoCloseable {
    private final int from;
    private final int to;
    private final List<ServerSocket> open = new ArrayList<>();

    RangeOffers(int from, int to) {
      if (to <= from) throw new IllegalStateException("no ports between " + from + " and the ephemeral range at " + to);
      this.from = from;
      this.to = to;
    }

    @Override
    public int getAsInt() {
      for (int tries = 0; tries < MAX_OFFERS; tries++) {
        int port = ThreadLocalRandom.current().nextInt(from, to);
        try {
          ServerSocket socket = new ServerSocket(port);
          open.add(socket);
          return port;
        } catch (IOException taken) {
          // in use (or held by an offer of this search): try another
        }
      }
      throw new IllegalStateException("no free port between " + from + " and " + to + " in " + MAX_OFFERS + " tries");
    }

    @Override
    public void close() {
      for (ServerSocket socket : open) {
        try {
          socket.close();
        } catch (IOException e) {
          // Its port is freed when the JVM exits at the latest; it is handed out already and stays ours.
        }
      }
    }
  }
}

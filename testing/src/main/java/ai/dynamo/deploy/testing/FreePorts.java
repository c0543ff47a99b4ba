package ai.dynamo.deploy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Ports for the servers a test starts on the local cluster (all its nodes share this host), taken from the kernel
 * rather than from fixed blocks: a port the kernel hands to {@code bind(0)} is free now, lies in the ephemeral range
 * (32768-60999 here) above every fixed port of the tests, benchmarks and demo graphs, and is random, so the runs of
 * several engineers at once do not meet by construction the way pid-derived blocks did.
 *
 * <p>A port is chosen long before the Slurm job binds it, so nothing else may be handed it in between: each port is
 * handed out at most once per JVM (two tests of one run never share one, even after the first test's job is gone).
 * Another process may still take it in between; the job script checks its port is free and its start fails saying
 * so. Linux (4.6 and later) gives {@code bind(0)} odd ports and outgoing connections even ones (seen here), so the
 * JVM's own SSH and gRPC connections do not take them either.
 */
public final class FreePorts {
  /** The ports handed out in this JVM. */
  private static final FreePorts JVM = new FreePorts();
  /** Bounds the search when the kernel keeps offering ports handed out before. */
  static final int MAX_OFFERS = 1000;

  /** Never released: a run uses a few hundred of ~14,000 odd ephemeral ports. */
  private final Set<Integer> handedOut = new HashSet<>();

  FreePorts() {}

  /** One port, free now and never handed out before in this JVM. */
  public static int take() {
    return take(1)[0];
  }

  /** {@code n} distinct ports, each free now and never handed out before in this JVM. */
  public static int[] take(int n) {
    synchronized (JVM) {
      try (KernelOffers offers = new KernelOffers()) {
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
        throw new IllegalStateException("no new free port in " + MAX_OFFERS + " offers of the kernel; "
            + handedOut.size() + " handed out in this JVM already");
      }
      int port = offers.getAsInt();
      if (handedOut.add(port)) ports[found++] = port;
    }
    return ports;
  }

  /**
   * The kernel's offers: each a listening socket on a port it picks, all held open until closed, so that every offer
   * is a different port that was free when offered.
   */
  private static final class KernelOffers implements IntSupplier, AutoCloseable {
    private final List<ServerSocket> open = new ArrayList<>();

    @Override
    public int getAsInt() {
      try {
        ServerSocket socket = new ServerSocket(0);
        open.add(socket);
        return socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open a server socket to find a free port: " + e.getMessage(), e);
      }
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

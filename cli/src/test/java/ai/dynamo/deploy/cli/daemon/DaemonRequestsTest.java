package ai.dynamo.deploy.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.Charset;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's request handling on a real socket with a runner under the test's control: requests running at once
 * keep their output apart, and a client that goes away interrupts its request.
 */
class DaemonRequestsTest {
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final int REQUESTS = 4;
  private static final int LINES = 50;

  @TempDir Path dir;
  DaemonServer server;
  JarIdentity jar;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  private Path start(DaemonServer.Runner runner) throws Exception {
    Path run = SocketDirectory.open(dir.resolve("run"), new StringBuilder()).orElseThrow().dir();
    jar = JarIdentity.of(Files.writeString(dir.resolve("dynamo.jar"), "build"));
    server = DaemonServer.start(run.resolve("d.sock"), jar, Duration.ofMinutes(10), Duration.ofSeconds(1), runner,
        new PrintWriter(new StringWriter(), true));
    return run.resolve("d.sock");
  }

  private Wire.Request request(String... args) {
    return new Wire.Request(Wire.RUN, jar.encoded(), "/", false, List.of(args), Map.of());
  }

  @Test
  void requestsRunningAtOnceKeepTheirOutputAndExitCodesApart() throws Exception {
    // Each request writes its lines in step with the others (a barrier per line), so their frames interleave.
    CyclicBarrier inStep = new CyclicBarrier(REQUESTS);
    Path socket = start((request, out, err, host) -> {
      String me = request.args().get(0);
      try {
        for (int i = 0; i < LINES; i++) {
          inStep.await(BOUND.toSeconds(), TimeUnit.SECONDS);
          out.println(me + " out " + i);
          err.println(me + " err " + i);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return Integer.parseInt(me);
    });
    ExecutorService clients = Executors.newFixedThreadPool(REQUESTS);
    try {
      List<Future<String[]>> results = new ArrayList<>();
      for (int r = 0; r < REQUESTS; r++) {
        String me = String.valueOf(10 + r);
        results.add(clients.submit(() -> {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          ByteArrayOutputStream err = new ByteArrayOutputStream();
          DaemonClient.Outcome outcome = DaemonClient.send(socket, request(me), out, err);
          return new String[] {me, String.valueOf(outcome.exitCode()), out.toString(Charset.defaultCharset()),
              err.toString(Charset.defaultCharset())};
        }));
      }
      for (Future<String[]> f : results) {
        String[] r = f.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        for (int i = 0; i < LINES; i++) {
          out.append(r[0]).append(" out ").append(i).append(System.lineSeparator());
          err.append(r[0]).append(" err ").append(i).append(System.lineSeparator());
        }
        assertEquals(r[0], r[1]);
        assertEquals(out.toString(), r[2]);
        assertEquals(err.toString(), r[3]);
      }
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void aClosedStdoutOfTheClientDropsOutputButKeepsStderrAndTheExitCode() throws Exception {
    Path socket = start((request, out, err, host) -> {
      for (int i = 0; i < 3; i++) out.println("line " + i);
      err.println("still here");
      return 5;
    });
    OutputStream closedPipe = new OutputStream() { // `dynamo deploy list | head -0`
      @Override
      public void write(int b) throws IOException {
        throw new IOException("Broken pipe");
      }
    };
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    DaemonClient.Outcome outcome = DaemonClient.send(socket, request("list"), closedPipe, err);
    assertEquals(5, outcome.exitCode());
    assertEquals("still here" + System.lineSeparator(), err.toString(Charset.defaultCharset()));
  }

  @Test
  void aClientThatGoesAwayInterruptsItsRequest() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    Path socket = start((request, out, err, host) -> {
      running.countDown();
      try {
        new CountDownLatch(1).await(); // a Temporal call that would not return soon
      } catch (InterruptedException e) {
        interrupted.countDown();
      }
      return 130;
    });
    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      DataOutputStream to = new DataOutputStream(ChannelStreams.out(channel));
      Wire.write(to, request("wait"));
      assertEquals(Wire.ACCEPTED, new DataInputStream(ChannelStreams.in(channel)).readByte());
      assertTrue(running.await(BOUND.toSeconds(), TimeUnit.SECONDS));
    } // closed, as when Ctrl-C ends the client
    assertTrue(assertTimeoutPreemptively(BOUND, () -> interrupted.await(BOUND.toSeconds(), TimeUnit.SECONDS)));
  }

  @Test
  void relativeKubeconfigFilesAreTheCallersFiles() {
    Map<String, String> resolved = DaemonRequests.callerPaths(
        Map.of("KUBECONFIG", "kube/a.yaml:/etc/b.yaml", "TEMPORAL_CONFIG_FILE", "t.toml", "HOME", "h"),
        Path.of("/home/caller/work"));
    assertEquals("/home/caller/work/kube/a.yaml:/etc/b.yaml", resolved.get("KUBECONFIG"));
    assertEquals("/home/caller/work/t.toml", resolved.get("TEMPORAL_CONFIG_FILE"));
    assertEquals("h", resolved.get("HOME"));
  }
}

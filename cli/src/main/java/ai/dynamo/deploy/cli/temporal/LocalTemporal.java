package ai.dynamo.deploy.cli.temporal;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Temporal's Java test server (in memory, real time: time skipping locked) listening on 127.0.0.1 only, so a
 * development service is never reachable from the network. Its state is lost when the process ends.
 */
public final class LocalTemporal implements AutoCloseable {
  private final TestServicesStarter services;
  private final Server server;

  private LocalTemporal(TestServicesStarter services, Server server) {
    this.services = services;
    this.server = server;
  }

  /**
   * Starts the service.
   *
   * @param port the port on 127.0.0.1, or 0 for any free port
   * @throws IOException when the port is taken
   */
  public static LocalTemporal start(int port) throws IOException {
    // lockTimeSkipping=true: timers and timeouts run in real time, as on a real server.
    TestServicesStarter services = new TestServicesStarter(true, 0);
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(TemporalConnection.LOCAL_HOST, port));
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    Server server = builder.build();
    try {
      server.start();
    } catch (IOException e) {
      services.close();
      throw e;
    }
    return new LocalTemporal(services, server);
  }

  public int port() {
    return server.getPort();
  }

  /** Connection settings for this service, namespace {@code default}. */
  public TemporalConnection connection() {
    return TemporalConnection.local(port(), TemporalConnection.DEFAULT_NAMESPACE);
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) server.shutdownNow();
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    services.close();
  }
}

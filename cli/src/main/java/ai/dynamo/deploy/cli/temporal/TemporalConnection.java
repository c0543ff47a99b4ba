package ai.dynamo.deploy.cli.temporal;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.client.Causes;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.envconfig.ClientConfigProfile;
import io.temporal.envconfig.ClientConfigTLS;
import io.temporal.envconfig.LoadClientConfigProfileOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the Temporal service is and how to reach it, resolved the way Temporal's own CLI and SDKs do it
 * (temporal-envconfig): the {@code temporal.toml} profile ({@code TEMPORAL_CONFIG_FILE}, else
 * {@code ~/.config/temporalio/temporal.toml}; profile {@code TEMPORAL_PROFILE}, else {@code default}), then the
 * {@code TEMPORAL_ADDRESS}, {@code TEMPORAL_NAMESPACE}, {@code TEMPORAL_API_KEY}, {@code TEMPORAL_TLS*} and
 * {@code TEMPORAL_GRPC_META_*} environment variables, then our command-line flags.
 */
public final class TemporalConnection {
  /** Where {@code dynamo server} listens, and where an unconfigured client looks first. */
  public static final String LOCAL_HOST = "127.0.0.1";

  public static final int LOCAL_PORT = 7233;
  public static final String DEFAULT_NAMESPACE = "default";
  /** How long connecting may take (the first health check answered). */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** How long one call may take unless {@code --request-timeout} says otherwise (gRPC deadline). */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** The longest a query waits for a worker's answer (the SDK's default). */
  static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);

  private final ClientConfigProfile profile;
  private final boolean addressConfigured;
  private final Duration requestTimeout;
  /** What the TLS files held when these settings were resolved (see {@link #sameSettings}). */
  private final List<Object> tlsFiles;

  private TemporalConnection(ClientConfigProfile profile, boolean addressConfigured, Duration requestTimeout,
      List<Object> tlsFiles) {
    this.profile = profile;
    this.addressConfigured = addressConfigured;
    this.requestTimeout = requestTimeout;
    this.tlsFiles = tlsFiles;
  }

  /**
   * Resolves the connection settings.
   *
   * @param addressFlag {@code --address}, or null
   * @param namespaceFlag {@code --temporal-namespace}, or null
   * @param profileName {@code --temporal-profile}, or null for {@code TEMPORAL_PROFILE} / {@code default}
   * @param env the environment (System.getenv() outside tests)
   * @param workingDirectory the caller's directory: relative TLS file paths (in {@code temporal.toml} or the
   *     environment) are resolved against it, as a process started there would (the SDK reads them with
   *     {@code Paths.get}); the resident daemon runs elsewhere
   */
  public static TemporalConnection resolve(String addressFlag, String namespaceFlag, String profileName,
      Map<String, String> env, Path workingDirectory) {
    LoadClientConfigProfileOptions.Builder options = LoadClientConfigProfileOptions.newBuilder().setEnvOverrides(env);
    if (profileName != null && !profileName.isBlank()) options.setConfigFileProfile(profileName);
    // No file to read: the SDK would still build a TOML mapper (Jackson) to read nothing, a tenth of a short
    // command's start; the environment variables apply all the same.
    if (!hasConfigFile(profileName, env, System.getProperty("user.home"), System.getProperty("os.name", ""))) {
      options.setDisableFile(true);
    }
    ClientConfigProfile loaded;
    try {
      loaded = ClientConfigProfile.load(options.build());
    } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
      throw new UserError(
          ExitCodes.INVALID, "error: cannot read the Temporal client configuration: " + e.getMessage(), e);
    }
    ClientConfigProfile.Builder effective = loaded.toBuilder();
    if (addressFlag != null && !addressFlag.isBlank()) effective.setAddress(addressFlag);
    if (namespaceFlag != null && !namespaceFlag.isBlank()) effective.setNamespace(namespaceFlag);
    if (loaded.getTls() != null) effective.setTls(resolveTlsPaths(loaded.getTls(), workingDirectory));
    ClientConfigProfile profile = effective.build();
    boolean configured = profile.getAddress() != null && !profile.getAddress().isBlank();
    return new TemporalConnection(profile, configured, REQUEST_TIMEOUT, tlsFileContents(profile.getTls()));
  }

  private static ClientConfigTLS resolveTlsPaths(ClientConfigTLS tls, Path workingDirectory) {
    return tls.toBuilder()
        .setClientCertPath(against(workingDirectory, tls.getClientCertPath()))
        .setClientKeyPath(against(workingDirectory, tls.getClientKeyPath()))
        .setServerCACertPath(against(workingDirectory, tls.getServerCACertPath()))
        .build();
  }

  private static String against(Path workingDirectory, String path) {
    if (path == null || path.isBlank() || Path.of(path).isAbsolute()) return path;
    return workingDirectory.resolve(path).toString();
  }

  /**
   * The contents of the TLS files the settings name (a missing or unreadable file as its path: connecting then
   * reports it). Part of {@link #sameSettings}, so a kept connection is not reused once a certificate is rotated.
   */
  private static List<Object> tlsFileContents(ClientConfigTLS tls) {
    if (tls == null) return List.of();
    List<Object> contents = new ArrayList<>();
    for (String path : Arrays.asList(tls.getClientCertPath(), tls.getClientKeyPath(), tls.getServerCACertPath())) {
      if (path == null || path.isBlank()) {
        contents.add("");
        continue;
      }
      try {
        contents.add(ByteBuffer.wrap(Files.readAllBytes(Path.of(path))));
      } catch (IOException | RuntimeException e) {
        contents.add("unreadable " + path);
      }
    }
    return contents;
  }

  /**
   * Whether there may be a {@code temporal.toml} to read: false only when it is certain there is none, i.e. no
   * profile is named, and the file ({@code TEMPORAL_CONFIG_FILE}, else Linux's default
   * {@code ~/.config/temporalio/temporal.toml}) does not exist. Elsewhere the SDK finds its file itself.
   */
  static boolean hasConfigFile(String profileName, Map<String, String> env, String userHome, String osName) {
    if (profileName != null && !profileName.isBlank()) return true;
    String envProfile = env.get("TEMPORAL_PROFILE");
    if (envProfile != null && !envProfile.isBlank()) return true;
    String named = env.get("TEMPORAL_CONFIG_FILE");
    Path file;
    if (named != null && !named.isBlank()) file = Path.of(named);
    else if (osName.toLowerCase(Locale.ROOT).contains("linux") && userHome != null && !userHome.isBlank())
      file = Path.of(userHome, ".config", "temporalio", "temporal.toml");
    else return true;
    return Files.exists(file);
  }

  /** Settings for a service this process runs itself ({@code dynamo server}, the embedded default). */
  public static TemporalConnection local(int port, String namespace) {
    return new TemporalConnection(
        ClientConfigProfile.newBuilder().setAddress(LOCAL_HOST + ":" + port).setNamespace(namespace).build(), true,
        REQUEST_TIMEOUT, List.of());
  }

  /** This connection with another deadline for each call ({@code --request-timeout}). */
  public TemporalConnection withRequestTimeout(Duration timeout) {
    return new TemporalConnection(profile, addressConfigured, timeout, tlsFiles);
  }

  /** The deadline of each call, and how long the CLI waits for a worker's short answers (records). */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** Whether an address came from a flag, the environment or a profile (otherwise the local default applies). */
  public boolean addressConfigured() {
    return addressConfigured;
  }

  /** The address to dial: the configured one, else {@code 127.0.0.1:7233}. */
  public String address() {
    return addressConfigured ? profile.getAddress() : LOCAL_HOST + ":" + LOCAL_PORT;
  }

  public String namespace() {
    String ns = profile.getNamespace();
    return ns == null || ns.isBlank() ? DEFAULT_NAMESPACE : ns;
  }

  /** This connection with another address (the embedded service's), keeping namespace and credentials. */
  public TemporalConnection withAddress(String address) {
    return new TemporalConnection(profile.toBuilder().setAddress(address).build(), true, requestTimeout, tlsFiles);
  }

  /**
   * Opens service stubs and checks the service answers.
   *
   * @throws UserError with {@link ExitCodes#UNREACHABLE} when it does not
   */
  public WorkflowServiceStubs connect() {
    WorkflowServiceStubsOptions options;
    try {
      options = stubsOptions(); // reads the TLS files: a missing one is a settings error, not an absent service
    } catch (RuntimeException e) {
      // Every cause: the SDK's "Unable to create SSL context" alone does not say which file.
      throw new UserError(ExitCodes.INVALID, "error: cannot use the Temporal connection settings for " + address()
          + " (namespace " + namespace() + "): " + Causes.all(e), e);
    }
    // gRPC retries a refused connection until the request deadline (~30 s); a plain TCP connect says it at once.
    IOException refused = tcpConnect(address(), CONNECT_TIMEOUT);
    if (refused != null) throw unreachable(refused);
    // Every call has a deadline: a service that accepts the connection but never answers ends in an error too.
    try {
      return WorkflowServiceStubs.newConnectedServiceStubs(options, CONNECT_TIMEOUT);
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
  }

  /**
   * Why a TCP connection to {@code host:port} cannot be made within {@code timeout} (refused, unknown host, no
   * answer), or null when it can, or when the address is not a plain {@code host:port} (a gRPC target URI is left
   * to gRPC).
   */
  static IOException tcpConnect(String address, Duration timeout) {
    int colon = address.lastIndexOf(':');
    if (address.contains("/") || colon <= 0) return null;
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      return null;
    }
    return connectError(host, port, timeout);
  }

  /** Why a TCP connection to host:port cannot be made within {@code timeout}, or null when it can. */
  private static IOException connectError(String host, int port, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      return null;
    } catch (java.net.UnknownHostException e) {
      return new java.net.UnknownHostException("unknown host " + host);
    } catch (java.net.SocketTimeoutException e) {
      return new java.net.SocketTimeoutException("no TCP connection within " + timeout.toSeconds() + " s");
    } catch (IOException | IllegalArgumentException e) {
      return e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
  }

  /**
   * The stubs' options: every bound is ours. The SDK's hidden 5 s bounds on one health-check attempt and on the
   * first GetSystemInfo call would otherwise end a connection to a slow (busy) service sooner than the
   * connect and request timeouts we document, with a bare DEADLINE_EXCEEDED.
   */
  WorkflowServiceStubsOptions stubsOptions() {
    return WorkflowServiceStubsOptions.newBuilder(profile.toWorkflowServiceStubsOptions()).setTarget(address())
        .setRpcTimeout(requestTimeout)
        // a query waits for a worker to answer; a missing worker is reported after this, not after 30 s
        .setRpcQueryTimeout(requestTimeout.compareTo(QUERY_TIMEOUT) < 0 ? requestTimeout : QUERY_TIMEOUT)
        .setHealthCheckAttemptTimeout(CONNECT_TIMEOUT)
        .setSystemInfoTimeout(requestTimeout)
        // The SDK retries an unavailable service for a minute and more; a call ends within the request bound
        // (a Temporal that stops during --wait is reported ~30 s later, not after minutes).
        .setRpcRetryOptions(io.temporal.serviceclient.RpcRetryOptions.newBuilder().setExpiration(requestTimeout)
            .validateBuildWithDefaults())
        .build();
  }

  /**
   * A value equal for two connections with the same settings (address, namespace, API key, TLS settings and the
   * contents of the TLS files, gRPC metadata, request timeout): what a kept connection may be reused for. Holds
   * credentials: never print it.
   */
  public Object sameSettings() {
    // ClientConfigTLS compares its contents; gRPC's Metadata does not, its text does.
    return Arrays.asList(address(), namespace(), profile.getApiKey(), profile.getTls(), tlsFiles,
        profile.getMetadata() == null ? null : profile.getMetadata().toString(), requestTimeout);
  }

  /** The TLS settings, paths resolved (tests). */
  ClientConfigTLS tls() {
    return profile.getTls();
  }

  /** A client on the resolved namespace. */
  public WorkflowClient client(WorkflowServiceStubs stubs) {
    return WorkflowClient.newInstance(
        stubs, WorkflowClientOptions.newBuilder(profile.toWorkflowClientOptions()).setNamespace(namespace()).build());
  }

  /** The error for a service that does not answer, saying how to get one. */
  public UserError unreachable(Throwable cause) {
    String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    if (why.contains("DEADLINE_EXCEEDED") || why.toLowerCase(java.util.Locale.ROOT).contains("deadline")) {
      why = "no answer within " + ai.dynamo.deploy.workflows.Durations.human(
          cause instanceof java.util.concurrent.TimeoutException ? CONNECT_TIMEOUT : requestTimeout) + " (" + why + ")";
    }
    return new UserError(
        ExitCodes.UNREACHABLE,
        "error: cannot reach Temporal at "
            + address()
            + " (namespace "
            + namespace()
            + "): "
            + why
            + "\nStart a local one with 'dynamo server', or point TEMPORAL_ADDRESS / --address at yours.",
        cause);
  }

  /**
   * The gRPC failure in {@code e} that means the service is gone: UNAVAILABLE anywhere in the cause chain (the SDK
   * wraps it, as describe() does when Temporal stops during {@code --wait}), or a bare DEADLINE_EXCEEDED (a call
   * with no answer within its deadline); null for anything else. A query's DEADLINE_EXCEEDED inside an SDK exception
   * means no worker answered, which callers handle themselves.
   */
  public static io.grpc.StatusRuntimeException serviceLost(Throwable e) {
    if (e instanceof io.grpc.StatusRuntimeException s
        && s.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED) {
      return s;
    }
    return ai.dynamo.deploy.client.DeployWatcher.unavailable(e);
  }

  /** Whether something accepts TCP connections at host:port within the timeout (cheap probe, no gRPC). */
  public static boolean answers(String host, int port, Duration timeout) {
    return connectError(host, port, timeout) == null;
  }
}

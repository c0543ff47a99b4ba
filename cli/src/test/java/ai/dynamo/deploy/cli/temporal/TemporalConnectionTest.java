package ai.dynamo.deploy.cli.temporal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemporalConnectionTest {
  @TempDir Path dir;

  /** An environment with no Temporal settings and a config file that does not exist. */
  private Map<String, String> bareEnv() {
    return Map.of("TEMPORAL_CONFIG_FILE", dir.resolve("absent.toml").toString());
  }

  @Test
  void nothingConfiguredMeansTheLocalDefault() {
    TemporalConnection c = TemporalConnection.resolve(null, null, null, bareEnv(), dir);
    assertFalse(c.addressConfigured());
    assertEquals("127.0.0.1:7233", c.address());
    assertEquals("default", c.namespace());
  }

  @Test
  void environmentVariablesFollowTemporalConventions() {
    Map<String, String> env = Map.of(
        "TEMPORAL_CONFIG_FILE", dir.resolve("absent.toml").toString(),
        "TEMPORAL_ADDRESS", "temporal.example:7233",
        "TEMPORAL_NAMESPACE", "deploys");
    TemporalConnection c = TemporalConnection.resolve(null, null, null, env, dir);
    assertTrue(c.addressConfigured());
    assertEquals("temporal.example:7233", c.address());
    assertEquals("deploys", c.namespace());
  }

  @Test
  void theConfigFileIsSkippedOnlyWhenCertainlyAbsent() throws IOException {
    String home = dir.toString();
    assertFalse(TemporalConnection.hasConfigFile(null, bareEnv(), home, "Linux"), "named, absent");
    assertFalse(TemporalConnection.hasConfigFile(null, Map.of(), home, "Linux"), "Linux default, absent");
    Path linuxDefault = dir.resolve(".config/temporalio/temporal.toml");
    Files.createDirectories(linuxDefault.getParent());
    Files.writeString(linuxDefault, "[profile.default]\n");
    assertTrue(TemporalConnection.hasConfigFile(null, Map.of(), home, "Linux"), "Linux default, present");
    assertTrue(TemporalConnection.hasConfigFile(null, Map.of(), dir.resolve("elsewhere").toString(), "Mac OS X"),
        "another OS: the SDK's own default path");
    assertTrue(TemporalConnection.hasConfigFile("prod", bareEnv(), home, "Linux"), "a profile named by flag");
    assertTrue(TemporalConnection.hasConfigFile(null, Map.of("TEMPORAL_PROFILE", "prod",
        "TEMPORAL_CONFIG_FILE", dir.resolve("absent.toml").toString()), home, "Linux"), "a profile named by env");
  }

  @Test
  void profilesComeFromTemporalToml() throws IOException {
    Path toml = dir.resolve("temporal.toml");
    Files.writeString(toml, """
        [profile.default]
        address = "default.example:7233"

        [profile.prod]
        address = "prod.example:7233"
        namespace = "prod-ns"
        """);
    Map<String, String> env = Map.of("TEMPORAL_CONFIG_FILE", toml.toString());
    assertEquals("default.example:7233", TemporalConnection.resolve(null, null, null, env, dir).address());
    TemporalConnection prod = TemporalConnection.resolve(null, null, "prod", env, dir);
    assertEquals("prod.example:7233", prod.address());
    assertEquals("prod-ns", prod.namespace());
    Map<String, String> envProfile = Map.of("TEMPORAL_CONFIG_FILE", toml.toString(), "TEMPORAL_PROFILE", "prod");
    assertEquals("prod-ns", TemporalConnection.resolve(null, null, null, envProfile, dir).namespace());
  }

  @Test
  void flagsOverrideEnvironmentAndProfile() {
    Map<String, String> env = Map.of(
        "TEMPORAL_CONFIG_FILE", dir.resolve("absent.toml").toString(),
        "TEMPORAL_ADDRESS", "env.example:7233",
        "TEMPORAL_NAMESPACE", "env-ns");
    TemporalConnection c = TemporalConnection.resolve("flag.example:7233", "flag-ns", null, env, dir);
    assertEquals("flag.example:7233", c.address());
    assertEquals("flag-ns", c.namespace());
  }

  @Test
  void anUnknownProfileIsAUsageError() throws IOException {
    Path toml = dir.resolve("temporal.toml");
    Files.writeString(toml, "[profile.default]\naddress = \"a:1\"\n");
    UserError e = assertThrows(UserError.class,
        () -> TemporalConnection.resolve(null, null, "nope", Map.of("TEMPORAL_CONFIG_FILE", toml.toString()), dir));
    assertEquals(ExitCodes.INVALID, e.exitCode());
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
  }

  @Test
  void anUnreachableServiceIsExitCode4() throws IOException {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    TemporalConnection c = TemporalConnection.resolve("127.0.0.1:" + port, null, null, bareEnv(), dir);
    UserError e = assertThrows(UserError.class, c::connect);
    assertEquals(ExitCodes.UNREACHABLE, e.exitCode());
    assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
    assertTrue(e.getMessage().contains("dynamo server"), e.getMessage());
    assertTrue(e.getMessage().contains("Connection refused"), "the cause, from a plain TCP connect: " + e.getMessage());
  }

  @Test
  void theStubsCarryOurBoundsNotTheSdksHiddenFiveSeconds() {
    TemporalConnection c = TemporalConnection.resolve("127.0.0.1:7233", null, null, bareEnv(), dir)
        .withRequestTimeout(java.time.Duration.ofSeconds(45));
    io.temporal.serviceclient.WorkflowServiceStubsOptions options = c.stubsOptions();
    assertEquals(java.time.Duration.ofSeconds(45), options.getRpcTimeout());
    assertEquals(java.time.Duration.ofSeconds(45), options.getSystemInfoTimeout());
    assertEquals(TemporalConnection.CONNECT_TIMEOUT, options.getHealthCheckAttemptTimeout());
    assertEquals(java.time.Duration.ofSeconds(45), options.getRpcRetryOptions().getExpiration(),
        "retries of an unavailable service end within the request bound too");
  }

  /** A temporal.toml profile with TLS files named relative to the directory the command runs in. */
  private Map<String, String> tlsProfile(Path ca) throws IOException {
    Path toml = dir.resolve("temporal.toml");
    Files.writeString(toml, """
        [profile.default]
        address = "tls.example:7233"

        [profile.default.tls]
        client_cert_path = "certs/client.pem"
        client_key_path = "certs/client.key"
        server_ca_cert_path = "%s"
        """.formatted(ca));
    return Map.of("TEMPORAL_CONFIG_FILE", toml.toString());
  }

  @Test
  void relativeTlsPathsAreTheCallersNotTheProcesss() throws IOException {
    // The resident daemon serves callers in any directory; its own directory must not decide which file is read.
    Path caller = dir.resolve("caller");
    Path ca = dir.resolve("ca.pem");
    TemporalConnection c = TemporalConnection.resolve(null, null, null, tlsProfile(ca), caller);
    assertEquals(caller.resolve("certs/client.pem").toString(), c.tls().getClientCertPath());
    assertEquals(caller.resolve("certs/client.key").toString(), c.tls().getClientKeyPath());
    assertEquals(ca.toString(), c.tls().getServerCACertPath(), "an absolute path stays as written");
  }

  @Test
  void aRotatedCertificateGetsANewConnection() throws IOException {
    Path caller = dir.resolve("caller");
    Path certs = Files.createDirectories(caller.resolve("certs"));
    Files.writeString(certs.resolve("client.pem"), "cert 1");
    Files.writeString(certs.resolve("client.key"), "key 1");
    Path ca = Files.writeString(dir.resolve("ca.pem"), "ca");
    Map<String, String> env = tlsProfile(ca);
    Object first = TemporalConnection.resolve(null, null, null, env, caller).sameSettings();
    assertEquals(first, TemporalConnection.resolve(null, null, null, env, caller).sameSettings(),
        "unchanged files: the kept connection is reused");
    Files.writeString(certs.resolve("client.pem"), "cert 2");
    Files.writeString(certs.resolve("client.key"), "key 2");
    Object rotated = TemporalConnection.resolve(null, null, null, env, caller).sameSettings();
    assertFalse(first.equals(rotated), "a rotated certificate must not reuse the connection made with the old one");
  }
}

package ai.dynamo.deploy.ir;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An explicit readiness rule from the component's optional {@code readiness} block.
 *
 * @param type how readiness is checked
 * @param port port for HTTP and TCP checks
 * @param path HTTP path for HTTP checks (default {@code /}), null otherwise
 * @param seconds for the running rule, how long the process must have run: {@code running: {seconds: N}}; null for
 *     {@code running: true} ({@link #DEFAULT_RUNNING_SECONDS}) and for the other rules. Null is left out of the
 *     graph's digest, so graphs written before this field keep theirs.
 */
public record Readiness(
    Type type,
    Integer port,
    String path,
    // left out when null in every form, also GraphDigest.previousForm and Temporal payloads: nothing older changes
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer seconds) {
  /** What {@code running: true} means: a process that ends sooner (a crash at start) is never ready. */
  public static final int DEFAULT_RUNNING_SECONDS = 5;

  /** The most {@code running: {seconds: N}} may state: a day. */
  public static final int MAX_RUNNING_SECONDS = 86_400;

  public Readiness(Type type, Integer port, String path) {
    this(type, port, path, null);
  }

  /** For the running rule: the seconds the process must have run, the stated ones or the default. */
  public int runningSeconds() {
    return seconds == null ? DEFAULT_RUNNING_SECONDS : seconds;
  }

  public enum Type {
    /** an HTTP GET on {@link #port}/{@link #path} answers 2xx/3xx */
    HTTP,
    /** a TCP connect to {@link #port} succeeds */
    TCP,
    /** the process is running (for {@link #runningSeconds()}) */
    RUNNING
  }
}

package ai.dynamo.deploy.ir;

/**
 * An explicit readiness rule from the component's optional {@code readiness} block.
 *
 * @param type how readiness is checked
 * @param port port for HTTP and TCP checks
 * @param path HTTP path for HTTP checks (default {@code /}), null otherwise
 */
public record Readiness(Type type, Integer port, String path) {
  public enum Type {
    /** an HTTP GET on {@link #port}/{@link #path} answers 2xx/3xx */
    HTTP,
    /** a TCP connect to {@link #port} succeeds */
    TCP,
    /** the process is running */
    RUNNING
  }
}

package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.util.Optional;

/** A RemoteShell that forwards everything; tests override one method to observe or break it. */
class ForwardingShell implements RemoteShell {
  private final RemoteShell delegate;

  ForwardingShell(RemoteShell delegate) {
    this.delegate = delegate;
  }

  @Override
  public Result run(String command, Retry retry) throws IOException {
    return delegate.run(command, retry);
  }

  @Override
  public Result run(String command, byte[] stdin, Retry retry) throws IOException {
    return delegate.run(command, stdin, retry);
  }

  @Override
  public void mkdirs(String path, int mode) throws IOException {
    delegate.mkdirs(path, mode);
  }

  @Override
  public void writeFile(String path, byte[] content, int mode) throws IOException {
    delegate.writeFile(path, content, mode);
  }

  @Override
  public Optional<String> readFile(String path) throws IOException {
    return delegate.readFile(path);
  }

  @Override
  public String home() throws IOException {
    return delegate.home();
  }
}

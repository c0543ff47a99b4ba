package ai.dynamo.deploy.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test resource that is its own JUnit 5 extension: it starts when its {@code @RegisterExtension} field is
 * initialised and is closed by JUnit, after each test for an instance field and after the class for a
 * {@code static} field. Used directly in try-with-resources it is an ordinary {@link AutoCloseable}.
 */
public abstract class Lifecycle implements BeforeAllCallback, AfterEachCallback, AfterAllCallback, AutoCloseable {
  /** Registered on a static field: JUnit calls beforeAll only for class-level extensions. */
  private boolean perClass;

  @Override
  public void beforeAll(ExtensionContext context) {
    perClass = true;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (!perClass) close();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }

  @Override
  public abstract void close() throws Exception;
}

package ai.dynamo.deploy.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;

/** Polls (real time) until a condition holds; fails the test when it does not within the limit. */
public final class Eventually {
  private Eventually() {}

  public static void within(Duration limit, BooleanSupplier condition) {
    Awaitility.await().atMost(limit).pollInterval(Duration.ofMillis(50)).until(condition::getAsBoolean);
  }
}

package ai.dynamo.deploy.cli.action;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** How a failure the target did not word itself (a client library's) is said: its message and its root cause. */
class ReadHistoryTest {
  @Test
  void aLibrarysFailureSaysItsRootCause() {
    RuntimeException e = new IllegalStateException("Operation: [list] for kind: [Secret] failed.",
        new RuntimeException(new ConnectException("Connection refused")));
    assertEquals("Operation: [list] for kind: [Secret] failed. (Connection refused)", ReadHistory.causes(e));
  }

  @Test
  void aMessageThatSaysItAllIsNotRepeated() {
    RuntimeException e = new IllegalStateException("cannot connect: Connection refused",
        new ConnectException("Connection refused"));
    assertEquals("cannot connect: Connection refused", ReadHistory.causes(e));
    assertEquals("IllegalStateException", ReadHistory.causes(new IllegalStateException()));
  }
}

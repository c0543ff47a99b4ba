package ai.dynamo.deploy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a failure's cause chain is said in one line: the exact words of each of the three wordings. */
class CausesTest {

  @Test
  void firstMessageIsTheOutermostThatSaysSomething() {
    assertEquals("Connection refused", Causes.firstMessage(
        new RuntimeException((String) null, new IOException("  ", new ConnectException("Connection refused\n")))));
    assertEquals("outer", Causes.firstMessage(new RuntimeException("outer", new IOException("inner"))));
    assertEquals("ConnectException", Causes.firstMessage(new RuntimeException((String) null, new ConnectException())),
        "none says anything: the innermost failure's class name, never a qualified one");
  }

  @Test
  void withRootAddsTheRootCauseOnlyWhenItSaysMore() {
    // Moved from ReadHistoryTest: dynamo deploy history's wording of a client library's failure.
    RuntimeException library = new IllegalStateException("Operation: [list] for kind: [Secret] failed.",
        new RuntimeException(new ConnectException("Connection refused")));
    assertEquals("Operation: [list] for kind: [Secret] failed. (Connection refused)", Causes.withRoot(library));
    RuntimeException saysItAll = new IllegalStateException("cannot connect: Connection refused",
        new ConnectException("Connection refused"));
    assertEquals("cannot connect: Connection refused", Causes.withRoot(saysItAll));
    assertEquals("IllegalStateException", Causes.withRoot(new IllegalStateException()));
    assertEquals("read failed (SocketTimeoutException)",
        Causes.withRoot(new IOException(" read failed ", new java.net.SocketTimeoutException())));
  }

  @Test
  void allSaysEveryCauseOnceAndNamesFileFailures() {
    RuntimeException tls = new IllegalArgumentException("Unable to create SSL context",
        new IOException(new NoSuchFileException("certs/client.pem")));
    // The IOException's own message is its cause's toString(), which holds the file's words already.
    assertEquals("Unable to create SSL context: java.nio.file.NoSuchFileException: certs/client.pem", Causes.all(tls));
    assertEquals("Unable to create SSL context: NoSuchFileException: certs/client.pem", Causes.all(
        new IllegalArgumentException("Unable to create SSL context", new NoSuchFileException("certs/client.pem"))));
    assertEquals("bad settings: IOException", Causes.all(new RuntimeException("bad settings", new IOException())));
    assertEquals("NoSuchFileException", Causes.all(new NoSuchFileException(null)));
  }

  @Test
  void aCauseChainThatLoopsBackEndsInsteadOfSpinning() {
    IOException a = new IOException("");
    IOException b = new IOException(" ");
    a.initCause(b);
    b.initCause(a); // a -> b -> a: Throwable forbids only a failure that is its own cause
    assertEquals(List.of(a, b), Causes.chain(a));
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      assertEquals("IOException", Causes.firstMessage(a));
      assertEquals("IOException", Causes.withRoot(a), "the root is the last failure before the repeat");
      assertEquals("IOException", Causes.all(a));
    });
    IOException top = new IOException("top");
    IOException loop = new IOException("loop");
    top.initCause(loop);
    loop.initCause(top);
    assertEquals("top (loop)", Causes.withRoot(top));
    assertEquals("top: loop", Causes.all(top));
  }

  @Test
  void suppressedFailuresAreNotCauses() {
    IOException e = new IOException("closing failed");
    e.addSuppressed(new IllegalStateException("secondary"));
    assertEquals("closing failed", Causes.firstMessage(e));
    assertEquals("closing failed", Causes.withRoot(e));
    assertEquals("closing failed", Causes.all(e));
  }
}

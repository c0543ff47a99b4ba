package ai.dynamo.deploy.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's log, appended to by every daemon of a jar, is kept to two files of about the limit. */
class DaemonLauncherTest {
  @TempDir
  Path dir;

  @Test
  void aLogOverTheLimitIsMovedAsideReplacingTheOlderOne() throws IOException {
    Path log = dir.resolve("daemon-1.log");
    Path kept = dir.resolve("daemon-1.log.1");
    Files.writeString(kept, "the oldest");
    Files.write(log, new byte[101]);
    DaemonLauncher.rotate(log, 100);
    assertFalse(Files.exists(log), "a new daemon starts a new log");
    assertEquals(101, Files.size(kept), "the previous log is kept, the oldest dropped");

    Files.write(log, new byte[100]);
    DaemonLauncher.rotate(log, 100);
    assertTrue(Files.exists(log), "at the limit it is kept");
    DaemonLauncher.rotate(dir.resolve("none.log"), 100); // no log yet: nothing to do, nothing thrown
  }
}

package io.keepalive.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The runner every test tier uses: its timeout must fire, and a chatty command must not block it.
 */
class ProcessesTest {
  @Test
  void aHungCommandIsKilledAtTheTimeoutAndNamed() {
    long start = System.nanoTime();
    // the child too: a shell waiting on a sleep it started is what a hung kubectl plugin or helm
    // hook looks like
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                Processes.run(
                    Duration.ofSeconds(1),
                    List.of("sh", "-c", "echo started; sleep 60; echo never")));
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(tookMillis < 20_000, "the timeout fired after " + tookMillis + " ms");
    assertTrue(e.getMessage().contains("sh -c echo started; sleep 60; echo never"), e.getMessage());
    assertTrue(
        e.getMessage().contains("started"),
        "output so far belongs in the message: " + e.getMessage());
  }

  @Test
  void bothStreamsBeyondAPipeBufferDoNotDeadlock() {
    // 1 MiB on each stream, stderr first: a reader that drains stdout before stderr would hang here
    Processes.Result r =
        Processes.run(
            Duration.ofSeconds(60),
            List.of(
                "sh",
                "-c",
                "head -c 1048576 /dev/zero | tr '\\0' e >&2; head -c 1048576 /dev/zero | tr '\\0' o; exit 3"));
    assertEquals(3, r.exit());
    assertEquals(1 << 20, r.stdout().length());
    assertEquals(1 << 20, r.stderr().length());
    assertTrue(
        r.stdout().chars().allMatch(c -> c == 'o') && r.stderr().chars().allMatch(c -> c == 'e'));
  }

  @Test
  void requireSuccessNamesTheCommandAndItsOutput() {
    Processes.Result r =
        Processes.run(
            Duration.ofSeconds(30),
            List.of("sh", "-c", "echo \"$GREETING\"; echo oops >&2; exit 4"),
            Map.of("GREETING", "hello"));
    assertEquals("hello\n", r.stdout());
    IllegalStateException e = assertThrows(IllegalStateException.class, r::requireSuccess);
    assertTrue(
        e.getMessage().startsWith("sh -c echo \"$GREETING\"; echo oops >&2; exit 4 exited 4: oops"),
        e.getMessage());
  }

  @Test
  void stdinIsAtEndOfFile() {
    // a command that reads stdin ends instead of waiting until the timeout
    Processes.Result r = Processes.run(Duration.ofSeconds(30), List.of("cat"));
    assertEquals(0, r.exit());
    assertEquals("", r.stdout());
  }
}

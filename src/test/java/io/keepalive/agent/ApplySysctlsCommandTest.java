package io.keepalive.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.sidecar.KeepaliveSysctl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApplySysctlsCommandTest {
  @TempDir Path procSys;
  Path ipv4;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void kernelDefaults() throws Exception {
    ipv4 = Files.createDirectories(procSys.resolve("net/ipv4"));
    Files.writeString(ipv4.resolve("tcp_keepalive_time"), "7200\n");
    Files.writeString(ipv4.resolve("tcp_keepalive_intvl"), "75\n");
    Files.writeString(ipv4.resolve("tcp_keepalive_probes"), "9\n");
  }

  int run(String... args) {
    return ApplySysctlsCommand.run(
        args,
        new PrintStream(out, true),
        new PrintStream(err, true),
        new KeepaliveSysctls(procSys));
  }

  String file(String name) throws Exception {
    return Files.readString(ipv4.resolve(name)).trim();
  }

  @Test
  void writesAllThreeAndPrintsWhatIsInForce() throws Exception {
    assertEquals(0, run("--time=120", "--interval=30", "--probes=4"));
    assertEquals("120", file("tcp_keepalive_time"));
    assertEquals("30", file("tcp_keepalive_intvl"));
    assertEquals("4", file("tcp_keepalive_probes"));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(1, printed.lines().count(), printed);
    assertTrue(
        printed.contains("tcp_keepalive_time=120 tcp_keepalive_intvl=30 tcp_keepalive_probes=4"),
        printed);
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aSubsetLeavesTheOthersAlone() throws Exception {
    assertEquals(0, run("--time=300"));
    assertEquals("300", file("tcp_keepalive_time"));
    assertEquals("75", file("tcp_keepalive_intvl"));
    assertEquals("9", file("tcp_keepalive_probes"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--time=0|--time=0 is out of range; valid range 1..32767",
        "--time=32768|--time=32768 is out of range; valid range 1..32767",
        "--interval=-5|--interval=-5 is out of range; valid range 1..32767",
        "--probes=128|--probes=128 is out of range; valid range 1..127",
        "--probes=abc|--probes=abc is not a whole number; valid range 1..127",
        "--time=99999999999999999999|--time=99999999999999999999 is not a whole number; valid range 1..32767",
        "--speed=3|unknown argument '--speed=3'; usage: apply-sysctls [--time=1..32767] [--interval=1..32767] "
            + "[--probes=1..127]",
      })
  void badArgumentsExit2NameTheArgumentAndWriteNothing(String arg, String expected)
      throws Exception {
    // a valid argument first: it must not be written either
    assertEquals(2, run("--interval=10", arg));
    String message = err.toString(StandardCharsets.UTF_8);
    assertEquals(1, message.lines().count(), message);
    assertTrue(message.contains(expected), message);
    assertEquals("7200", file("tcp_keepalive_time"));
    assertEquals("75", file("tcp_keepalive_intvl"));
    assertEquals("9", file("tcp_keepalive_probes"));
  }

  @Test
  void noArgumentsIsAUsageError() {
    assertEquals(2, run());
    assertEquals(
        "apply-sysctls: nothing to apply; usage: apply-sysctls [--time=1..32767] [--interval=1..32767] "
            + "[--probes=1..127] (at least one)",
        err.toString(StandardCharsets.UTF_8).trim());
  }

  @Test
  void aMissingFileIsNamedWithCauseAndAdvice() throws Exception {
    Files.delete(ipv4.resolve("tcp_keepalive_intvl"));
    assertEquals(1, run("--time=60", "--interval=10"));
    String message = err.toString(StandardCharsets.UTF_8);
    assertEquals(1, message.lines().count(), message);
    assertTrue(message.contains(ipv4.resolve("tcp_keepalive_intvl").toString()), message);
    assertTrue(message.contains("no such file"), message);
    assertTrue(message.contains("4.5"), message);
  }

  @Test
  void parsingIsPure() {
    ApplySysctlsCommand.Arguments ok =
        ApplySysctlsCommand.parse(new String[] {"--probes=127", "--time=1"});
    assertNull(ok.error());
    assertEquals(127, ok.values().get(KeepaliveSysctl.PROBES));
    assertEquals(1, ok.values().get(KeepaliveSysctl.TIME));
    assertNotNull(ApplySysctlsCommand.parse(new String[] {"--time=5", "--time=6"}).error());
  }
}

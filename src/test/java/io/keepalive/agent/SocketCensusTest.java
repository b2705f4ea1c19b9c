package io.keepalive.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketCensusTest {
  @Test
  void countsStatesAndKeepaliveTimersAcrossTcpAndTcp6() {
    SocketCensus c =
        SocketCensus.parse(AgentFixtures.TCP + "\n" + AgentFixtures.TCP6, Set.of(), 1, 7200);
    assertEquals(5, c.established());
    assertEquals(3, c.keepaliveArmed());
    assertEquals(2, c.keepaliveOff(), "the tcp6 socket with a pending retransmit timer shows tr=1");
    assertEquals(1, c.timeWait());
    assertEquals(1, c.closeWait());
    assertEquals(0, c.excludedOwn());
  }

  @Test
  void keepaliveTimersWithMoreLeftThanTheDesiredTimeAreOnTheOldTiming() {
    // tm->when in 1/100 s: 0xAFC6F = 7199.83 s left (armed under 7200), 0xFA0 = 40 s left
    String both = AgentFixtures.TCP + "\n" + AgentFixtures.TCP6;
    SocketCensus desired60 = SocketCensus.parse(both, Set.of(), 1, 60);
    assertEquals(3, desired60.keepaliveArmed());
    assertEquals(2, desired60.keepaliveOldTiming(), "the two armed under 7200");
    assertEquals(7199, desired60.oldTimingLongestSeconds());

    SocketCensus desired30 = SocketCensus.parse(both, Set.of(), 1, 30);
    assertEquals(3, desired30.keepaliveOldTiming(), "40 s left is more than 30");

    SocketCensus desired7200 = SocketCensus.parse(both, Set.of(), 1, 7200);
    assertEquals(0, desired7200.keepaliveOldTiming(), "a tick of rounding is not an old timing");
    assertEquals(0, desired7200.oldTimingLongestSeconds());
  }

  @Test
  void leavesOutTheAgentsOwnPorts() {
    // 0x26AD = 9901, the agent's server port
    SocketCensus c = SocketCensus.parse(AgentFixtures.TCP, Set.of(), 9901, 7200);
    assertEquals(2, c.established());
    assertEquals(1, c.keepaliveArmed());
    assertEquals(1, c.excludedOwn());
  }

  @Test
  void leavesOutOpenClientConnectionsOfTheAgentAndCallsToIt() {
    // 0xD431 = 54321: an agent client connection; 0xD500: a client in the pod calling the agent on
    // 9901
    SocketCensus c =
        SocketCensus.parse(
            AgentFixtures.TCP
                + "\n"
                + "   9: 0100007F:D500 0100007F:26AD 01 00000000:00000000 "
                + "00:00000000 00000000     0        0 1006 1 0000000000000000 20 4 30 10 -1",
            Set.of(54321),
            9901,
            7200);
    assertEquals(1, c.established());
    assertEquals(3, c.excludedOwn());
  }

  @Test
  void aReaderAddsUpTcpAndTcp6AndCanBeReused(@TempDir Path procNet) throws Exception {
    Files.writeString(procNet.resolve("tcp"), AgentFixtures.TCP);
    SocketCensus.Reader reader = new SocketCensus.Reader();
    assertEquals(
        SocketCensus.parse(AgentFixtures.TCP, Set.of(), 1, 7200),
        reader.read(procNet, Set.of(), 1, 7200),
        "no tcp6: IPv6 off");
    Files.writeString(procNet.resolve("tcp6"), AgentFixtures.TCP6);
    assertEquals(
        SocketCensus.parse(AgentFixtures.TCP + "\n" + AgentFixtures.TCP6, Set.of(), 1, 7200),
        reader.read(procNet, Set.of(), 1, 7200));
    assertEquals(
        SocketCensus.parse(AgentFixtures.TCP + "\n" + AgentFixtures.TCP6, Set.of(), 1, 7200),
        reader.read(procNet, Set.of(), 1, 7200));
  }

  @Test
  void aTableLargerThanTheBufferIsReadWhole(@TempDir Path procNet) throws Exception {
    String line = AgentFixtures.TCP.lines().toList().get(2) + "\n"; // established, keepalive armed
    int lines = 2 * 256 * 1024 / line.length() + 1;
    Files.writeString(procNet.resolve("tcp"), line.repeat(lines));
    SocketCensus.Reader reader = new SocketCensus.Reader();
    assertEquals(lines, reader.read(procNet, Set.of(), 1, 7200).keepaliveArmed());
    Files.writeString(procNet.resolve("tcp"), AgentFixtures.TCP);
    assertEquals(
        3, reader.read(procNet, Set.of(), 1, 7200).established(), "a short table after a long one");
  }

  @Test
  void emptyAndGarbageCountNothing() {
    assertEquals(SocketCensus.EMPTY, SocketCensus.parse("", Set.of(), 9901, 7200));
    assertEquals(
        SocketCensus.EMPTY,
        SocketCensus.parse("hello\n 0: zz:zz yy 01 a b\n", Set.of(), 9901, 7200));
  }
}

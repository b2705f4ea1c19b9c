package io.keepalive.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SocketCensusTest {
    // Real lines (kernel 6.x format), one per interesting state.
    static final String TCP = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0
               1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 02:000AFC6F 00000000     0        0 1002 1 0000000000000000 20 4 30 10 -1
               2: 0100007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 20 4 30 10 -1
               3: 0100007F:D432 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
               4: 0100007F:D433 0100007F:1F90 08 00000000:00000000 00:00000000 00000000     0        0 1004 1 0000000000000000 20 4 30 10 -1
               5: 0100007F:26AD 0100007F:D500 01 00000000:00000000 02:000AFC6F 00000000     0        0 1005 1 0000000000000000 20 4 30 10 -1
            """;
    static final String TCP6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0000000000000000FFFF00000100007F:D600 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 02:00000FA0 00000000     0        0 2001 1 0000000000000000 20 4 30 10 -1
               1: 0000000000000000FFFF00000100007F:D601 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 01:00000010 00000000     0        0 2002 1 0000000000000000 20 4 30 10 -1
            """;

    @Test
    void countsStatesAndKeepaliveTimersAcrossTcpAndTcp6() {
        SocketCensus c = SocketCensus.parse(TCP + "\n" + TCP6, Set.of(), 1);
        assertEquals(5, c.established());
        assertEquals(3, c.keepaliveArmed());
        assertEquals(2, c.keepaliveOff(), "the tcp6 socket with a pending retransmit timer shows tr=1");
        assertEquals(1, c.timeWait());
        assertEquals(1, c.closeWait());
        assertEquals(0, c.excludedOwn());
    }

    @Test
    void leavesOutTheAgentsOwnPorts() {
        // 0x26AD = 9901, the agent's server port
        SocketCensus c = SocketCensus.parse(TCP, Set.of(), 9901);
        assertEquals(2, c.established());
        assertEquals(1, c.keepaliveArmed());
        assertEquals(1, c.excludedOwn());
    }

    @Test
    void leavesOutOpenClientConnectionsOfTheAgentAndCallsToIt() {
        // 0xD431 = 54321: an agent client connection; 0xD500: a client in the pod calling the agent on 9901
        SocketCensus c = SocketCensus.parse(TCP + "\n" + "   9: 0100007F:D500 0100007F:26AD 01 00000000:00000000 "
                + "00:00000000 00000000     0        0 1006 1 0000000000000000 20 4 30 10 -1", Set.of(54321), 9901);
        assertEquals(1, c.established());
        assertEquals(3, c.excludedOwn());
    }

    @Test
    void aReaderAddsUpTcpAndTcp6AndCanBeReused(@TempDir Path procNet) throws Exception {
        Files.writeString(procNet.resolve("tcp"), TCP);
        SocketCensus.Reader reader = new SocketCensus.Reader();
        assertEquals(SocketCensus.parse(TCP, Set.of(), 1), reader.read(procNet, Set.of(), 1), "no tcp6: IPv6 off");
        Files.writeString(procNet.resolve("tcp6"), TCP6);
        assertEquals(SocketCensus.parse(TCP + "\n" + TCP6, Set.of(), 1), reader.read(procNet, Set.of(), 1));
        assertEquals(SocketCensus.parse(TCP + "\n" + TCP6, Set.of(), 1), reader.read(procNet, Set.of(), 1));
    }

    @Test
    void aTableLargerThanTheBufferIsReadWhole(@TempDir Path procNet) throws Exception {
        String line = TCP.lines().toList().get(2) + "\n"; // established, keepalive armed
        int lines = 2 * 256 * 1024 / line.length() + 1;
        Files.writeString(procNet.resolve("tcp"), line.repeat(lines));
        SocketCensus.Reader reader = new SocketCensus.Reader();
        assertEquals(lines, reader.read(procNet, Set.of(), 1).keepaliveArmed());
        Files.writeString(procNet.resolve("tcp"), TCP);
        assertEquals(3, reader.read(procNet, Set.of(), 1).established(), "a short table after a long one");
    }

    @Test
    void emptyAndGarbageCountNothing() {
        assertEquals(SocketCensus.EMPTY, SocketCensus.parse("", Set.of(), 9901));
        assertEquals(SocketCensus.EMPTY, SocketCensus.parse("hello\n 0: zz:zz yy 01 a b\n", Set.of(), 9901));
    }
}

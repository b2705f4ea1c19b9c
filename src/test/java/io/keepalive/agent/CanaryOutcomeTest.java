package io.keepalive.agent;

import static io.keepalive.agent.CanaryOutcome.Phase.IDLE;
import static io.keepalive.agent.CanaryOutcome.Phase.REUSE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanaryOutcomeTest {

  @ParameterizedTest
  @CsvSource({
    "REUSE, ANSWERED,       Survived",
    "REUSE, FIN,            ClosedByServer",
    "IDLE,  FIN,            ClosedByServer",
    "REUSE, RESET,          LostOnPath",
    "IDLE,  RESET,          LostOnPath",
    "REUSE, NO_ANSWER,      LostOnPath",
    "IDLE,  KERNEL_TIMEOUT, LostOnPath",
    "REUSE, KERNEL_TIMEOUT, LostOnPath",
  })
  void classifiesWhatTheSocketSaw(
      CanaryOutcome.Phase phase, SocketEvent event, CanaryOutcome expected) {
    assertEquals(expected, CanaryOutcome.classify(phase, event));
  }

  @Test
  void mapsJdkExceptionsToWireEvents() {
    assertEquals(SocketEvent.FIN, SocketEvent.of(new HttpConnection.ClosedByPeerException()));
    assertEquals(
        SocketEvent.NO_ANSWER, SocketEvent.of(new SocketTimeoutException("Read timed out")));
    assertEquals(
        SocketEvent.KERNEL_TIMEOUT, SocketEvent.of(new SocketException("Connection timed out")));
    assertEquals(SocketEvent.RESET, SocketEvent.of(new SocketException("Connection reset")));
    assertEquals(SocketEvent.RESET, SocketEvent.of(new SocketException("Broken pipe")));
    assertEquals(SocketEvent.RESET, SocketEvent.of(new IOException((String) null)));
  }

  @Test
  void explanationsNameTheCulprit() {
    assertTrue(
        CanaryOutcome.explain(CanaryOutcome.ClosedByServer, IDLE, SocketEvent.FIN, 2.0, 30)
            .contains("server closed the idle connection (FIN) after 2.0 s"));
    assertTrue(
        CanaryOutcome.explain(CanaryOutcome.LostOnPath, REUSE, SocketEvent.NO_ANSWER, 30, 30)
            .contains("silently lost on the path"));
    assertTrue(
        CanaryOutcome.explain(CanaryOutcome.LostOnPath, IDLE, SocketEvent.KERNEL_TIMEOUT, 12, 30)
            .contains("keepalive probes"));
  }
}

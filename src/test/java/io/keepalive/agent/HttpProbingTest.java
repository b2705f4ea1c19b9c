package io.keepalive.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.keepalive.policy.spec.HttpTarget;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The probe, the idle-timeout measurement and the canary against loopback servers with chosen idle
 * behaviour.
 */
class HttpProbingTest {
  final OwnSockets own = new OwnSockets();

  @Test
  void measuresTheServersIdleTimeout() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer(FakeHttpServer.Idle.FIN, 1500, false)) {
      IdleTimeoutMeasurement.Result r =
          new IdleTimeoutMeasurement(own).measure(TargetUrl.parse(server.url()), 10);
      assertNotNull(r.measuredSeconds(), r.detail());
      assertEquals(1.5, r.measuredSeconds(), 0.5, r.detail());
    }
  }

  @Test
  void aServerThatOutlastsTheLimitIsAtLeastTheLimit() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer(FakeHttpServer.Idle.KEEP, 0, true)) {
      IdleTimeoutMeasurement.Result r =
          new IdleTimeoutMeasurement(own).measure(TargetUrl.parse(server.url()), 1);
      assertNull(r.measuredSeconds());
      assertEquals(1, r.atLeastSeconds());
    }
  }

  @Test
  void canarySurvivesAPatientServer() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer(FakeHttpServer.Idle.KEEP, 0, true)) {
      IdleCanary.Result r = new IdleCanary(own).run(TargetUrl.parse(server.url()), 1);
      assertEquals(CanaryOutcome.Survived, r.state(), r.detail());
    }
  }

  @Test
  void canarySeesTheServerClose() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer(FakeHttpServer.Idle.FIN, 500, false)) {
      IdleCanary.Result r = new IdleCanary(own).run(TargetUrl.parse(server.url()), 3);
      assertEquals(CanaryOutcome.ClosedByServer, r.state(), r.detail());
      assertTrue(r.detail().contains("FIN"), r.detail());
    }
  }

  @Test
  void canaryResetWhileIdleIsLostOnPath() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer(FakeHttpServer.Idle.RESET, 500, false)) {
      IdleCanary.Result r = new IdleCanary(own).run(TargetUrl.parse(server.url()), 3);
      assertEquals(CanaryOutcome.LostOnPath, r.state(), r.detail());
      assertTrue(r.detail().contains("reset"), r.detail());
    }
  }

  @Test
  void canaryWithoutAnAnswerOnReuseIsLostOnPath() throws Exception {
    try (FakeHttpServer server =
        new FakeHttpServer(FakeHttpServer.Idle.SWALLOW_NEXT_REQUEST, 0, false)) {
      IdleCanary.Result r = new IdleCanary(own, 500).run(TargetUrl.parse(server.url()), 1);
      assertEquals(CanaryOutcome.LostOnPath, r.state(), r.detail());
      assertTrue(r.detail().contains("no answer"), r.detail());
    }
  }

  @Test
  void canaryOfANonListeningPortIsUnreachable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    IdleCanary.Result r =
        new IdleCanary(own).run(TargetUrl.parse("http://127.0.0.1:" + port + "/"), 1);
    assertEquals(CanaryOutcome.Unreachable, r.state());
  }

  @Test
  void probeCountsReuseAndResetsOfAPooledConnection() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer(FakeHttpServer.Idle.FIN, 300, false)) {
      HttpTargetProbe probe = new HttpTargetProbe(TargetUrl.parse(server.url()), own);
      HttpTargetProbe.Result first = probe.round();
      assertTrue(first.reachable(), first.error());
      assertEquals("HTTP/1.1", first.httpVersion());
      assertTrue(first.keepAlive());
      assertEquals(0.5, first.reuseRatio(), 0.001, "one new and one reused request");
      assertNotNull(first.newConnectionMillis());
      assertNotNull(first.reusedConnectionMillis());
      assertEquals(0, first.resetsOnReuse());
      Thread.sleep(1000); // the server closes the pooled connection after 300 ms
      HttpTargetProbe.Result second = probe.round();
      assertEquals(1, second.resetsOnReuse(), "the pooled connection was closed by the server");
      assertTrue(second.lastReuseFailure().startsWith("FIN"), second.lastReuseFailure());
      assertTrue(second.reachable());
      probe.close();
    }
  }

  @Test
  void stoppingAMonitorClosesItsPooledConnection() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer(FakeHttpServer.Idle.FIN, 300, false)) {
      TargetMonitor monitor =
          new TargetMonitor(new HttpTarget(server.url(), null), 30, 1, List.of(), 1, own);
      monitor.start(0);
      waitUntil(() -> monitor.report().probe() != null, "first probe round");
      assertTrue(monitor.report().probe().reachable(), monitor.report().probe().error());
      monitor.stop();
      // the measurement and the canary end on their own when the server closes their idle
      // connections;
      // the probe's pooled connection stays open (half-closed) unless stopping closes it
      waitUntil(() -> own.localPorts().isEmpty(), "no agent socket left open");
    }
  }

  static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void probeOfAMissingServer() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    HttpTargetProbe.Result r =
        new HttpTargetProbe(TargetUrl.parse("http://127.0.0.1:" + port + "/"), own).round();
    assertFalse(r.reachable());
    assertTrue(r.error().contains("Connection refused"), r.error());
  }
}

package io.keepalive.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keepalive.policy.spec.TcpKeepalive;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeepaliveValuesTest {
  @Test
  void eachSysctlHasItsNumber() {
    var values = new KeepaliveValues(120, 15, 4);
    assertEquals(
        Map.of(KeepaliveSysctl.TIME, 120, KeepaliveSysctl.INTERVAL, 15, KeepaliveSysctl.PROBES, 4),
        Map.of(
            KeepaliveSysctl.TIME,
            values.get(KeepaliveSysctl.TIME),
            KeepaliveSysctl.INTERVAL,
            values.get(KeepaliveSysctl.INTERVAL),
            KeepaliveSysctl.PROBES,
            values.get(KeepaliveSysctl.PROBES)));
    assertEquals(values, KeepaliveValues.of(values::get));
  }

  @Test
  void aPolicysValuesWithTheApiServersDefaults() {
    TcpKeepalive onlyTime = new TcpKeepalive();
    onlyTime.setTimeSeconds(300);
    assertEquals(new KeepaliveValues(300, 75, 9), KeepaliveValues.of(onlyTime));
    assertEquals(new KeepaliveValues(7200, 75, 9), KeepaliveValues.LINUX_DEFAULTS);
  }

  @Test
  void describesInTheShapeApplySysctlsPrints() {
    assertEquals(
        "tcp_keepalive_time=120 tcp_keepalive_intvl=15 tcp_keepalive_probes=4",
        new KeepaliveValues(120, 15, 4).describe());
  }
}

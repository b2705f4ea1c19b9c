package io.keepalive.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeepaliveSysctlTest {
  @Test
  void namesOptionsAndRanges() {
    assertEquals(
        List.of(
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes"),
        KeepaliveSysctl.SYSCTL_NAMES);
    assertEquals("--interval", KeepaliveSysctl.INTERVAL.option());
    assertEquals("1..32767", KeepaliveSysctl.TIME.range());
    assertEquals("1..127", KeepaliveSysctl.PROBES.range());
    assertTrue(KeepaliveSysctl.PROBES.accepts(127));
    assertFalse(KeepaliveSysctl.PROBES.accepts(128));
    assertFalse(KeepaliveSysctl.TIME.accepts(0));
  }

  @Test
  void aPodLevelNameStandsForItsSysctl() {
    assertEquals(
        Optional.of(KeepaliveSysctl.PROBES),
        KeepaliveSysctl.named("net.ipv4.tcp_keepalive_probes"));
    assertEquals(Optional.empty(), KeepaliveSysctl.named("net.ipv4.tcp_fin_timeout"));
  }
}

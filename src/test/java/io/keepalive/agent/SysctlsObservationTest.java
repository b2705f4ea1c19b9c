package io.keepalive.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.sidecar.KeepaliveValues;
import java.util.List;
import org.junit.jupiter.api.Test;

class SysctlsObservationTest {
  @Test
  void oneDriftLinePerValueThatDiffers() {
    var observation =
        new SysctlsObservation(
            KeepaliveValues.LINUX_DEFAULTS, null, new KeepaliveValues(120, 75, 4));
    assertEquals(
        List.of(
            "tcp_keepalive_time: observed 7200, desired 120",
            "tcp_keepalive_probes: observed 9, desired 4"),
        observation.drift());
    assertFalse(observation.inSync());
  }

  @Test
  void equalValuesAreInSync() {
    var values = new KeepaliveValues(120, 15, 4);
    assertTrue(new SysctlsObservation(values, null, values).inSync());
  }

  @Test
  void unreadableValuesAreNeitherInSyncNorDrift() {
    var observation =
        new SysctlsObservation(null, "cannot read /proc/sys", KeepaliveValues.LINUX_DEFAULTS);
    assertFalse(observation.inSync());
    assertEquals(List.of(), observation.drift());
  }
}

package io.keepalive.rules;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClusterFactsTest {
  @Test
  void safeSysctlsAndNativeSidecarsFrom129() {
    assertFalse(new ClusterFacts(new KubeVersion(1, 28)).keepaliveSysctlsAreSafe());
    assertFalse(new ClusterFacts(new KubeVersion(1, 28)).nativeSidecars());
    assertTrue(new ClusterFacts(new KubeVersion(1, 29)).keepaliveSysctlsAreSafe());
    assertTrue(new ClusterFacts(new KubeVersion(1, 29)).nativeSidecars());
  }
}

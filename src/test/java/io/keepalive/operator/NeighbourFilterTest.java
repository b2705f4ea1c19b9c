package io.keepalive.operator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.KeepalivePolicyStatus;
import io.keepalive.testing.Policies;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NeighbourFilterTest {

  private static KeepalivePolicy stored(long generation, int matched) {
    // a fresh object per event, as the informer delivers them: equal content, never the same
    // instance
    KeepalivePolicy p = Policies.named("web").stored("2026-01-01T00:00:00Z", generation).build();
    KeepalivePolicyStatus status = new KeepalivePolicyStatus();
    status.setMatchedPods(matched);
    p.setStatus(status);
    return p;
  }

  @Test
  void aStatusWriteDoesNotWakeTheNeighbours() {
    assertFalse(KeepalivePolicyReconciler.neighbourChanged(stored(1, 3), stored(1, 2)));
    assertFalse(KeepalivePolicyReconciler.neighbourChanged(stored(1, 2), stored(1, 2)));
  }

  @Test
  void aSpecChangeOrADeletionDoes() {
    var edited = stored(2, 2);
    edited.getSpec().getSelector().setMatchLabels(Map.of("app", "db"));
    assertTrue(KeepalivePolicyReconciler.neighbourChanged(edited, stored(1, 2)));
    var leaving = stored(1, 2);
    leaving.getMetadata().setDeletionTimestamp("2026-03-01T00:00:00Z");
    assertTrue(KeepalivePolicyReconciler.neighbourChanged(leaving, stored(1, 2)));
  }
}

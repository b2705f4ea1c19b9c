package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keepalive.webhook.EventWindow.Step;
import io.keepalive.webhook.EventWindow.Written;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * One Event per policy and reason and window: its count grows inside the window, a new one starts
 * after it.
 */
class EventWindowTest {
  static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
  final EventWindow window = new EventWindow(Duration.ofMinutes(10));

  @Test
  void theFirstAdmissionsMakeAnEvent() {
    assertEquals(new Step.Create(100), window.next(null, 100, T0));
  }

  @Test
  void moreAdmissionsInsideTheWindowRaiseItsCount() {
    Written written = new Written("web.1", 100, T0);
    assertEquals(
        new Step.Raise("web.1", 103), window.next(written, 3, T0.plus(Duration.ofMinutes(9))));
    assertEquals(
        new Step.Raise("web.1", 101),
        window.next(written, 1, T0.plus(Duration.ofMinutes(10))),
        "the window's last instant still belongs to it");
  }

  @Test
  void afterTheWindowANewEventStarts() {
    Written written = new Written("web.1", 100, T0);
    assertEquals(
        new Step.Create(2),
        window.next(written, 2, T0.plus(Duration.ofMinutes(10)).plusSeconds(1)));
  }

  @Test
  void aQuietPolicyIsRememberedWhileItsEventCanGrowAndForgottenAfter() {
    Written written = new Written("web.1", 100, T0);
    assertEquals(new Step.Wait(), window.next(written, 0, T0.plus(Duration.ofMinutes(5))));
    assertEquals(new Step.Forget(), window.next(written, 0, T0.plus(Duration.ofMinutes(11))));
    assertEquals(new Step.Forget(), window.next(null, 0, T0), "nothing written, nothing counted");
  }
}

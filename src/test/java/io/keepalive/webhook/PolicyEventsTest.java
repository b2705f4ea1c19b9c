package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.pods.PodDirectory;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An admission makes its Events only once its pod exists in the operator's pod informer: a review
 * for a pod that never existed makes none, and a real pod counts once, under its real name.
 */
class PolicyEventsTest {
  final TestClock clock = new TestClock(Instant.parse("2026-05-01T10:00:00Z"));
  final List<Pod> pods = new ArrayList<>();
  final PodDirectory directory = new PodDirectory();
  final PolicyEvents events = new PolicyEvents(null, directory, Duration.ofMinutes(10), clock);
  final KeepalivePolicy policy = Policies.named("web").stored("2026-01-01T00:00:00Z", 1).build();
  final List<String> messages = new ArrayList<>();

  PolicyEventsTest() {
    directory.serveFrom(
        namespace -> pods.stream().filter(p -> namespace.equals(p.getMetadata().getNamespace())));
  }

  void admitted(String pod, boolean injected) {
    events.expect(
        "ns",
        pod,
        injected,
        List.of(
            new PolicyEvents.Planned(
                policy,
                "Injected",
                false,
                name -> {
                  messages.add(name);
                  return "injected (last pod: " + name + ")";
                })));
  }

  static Pod injected(String name, String uid) {
    return Pods.named(name)
        .uid(uid)
        .carrying("web", 1)
        .annotations(Map.of(PodMarks.HASH_ANNOTATION, "abc"))
        .build();
  }

  @Test
  void reviewsForPodsThatNeverExistMakeNoEvent() {
    for (int i = 0; i < 50; i++) {
      admitted("ghost-" + i, true);
    }
    events.confirm(clock.instant());
    assertEquals(0, events.pending("ns", "web", "Injected"));
    clock.advance(PolicyEvents.CONFIRM_WITHIN.plusSeconds(1));
    pods.add(injected("ghost-1", "late")); // too late: the admission is forgotten
    events.confirm(clock.instant());
    assertEquals(0, events.pending("ns", "web", "Injected"));
  }

  @Test
  void aRealPodCountsOnceUnderItsRealName() {
    admitted("web-7d9f-*", true); // named by the API server after admission
    admitted("web-7d9f-*", true); // a second admission claiming the same kind of name
    pods.add(injected("web-7d9f-x2k9p", "uid-1"));
    events.confirm(clock.instant());
    assertEquals(1, events.pending("ns", "web", "Injected"), "one pod, one count");
    assertEquals(List.of("web-7d9f-x2k9p"), messages);
    events.confirm(clock.instant());
    assertEquals(1, events.pending("ns", "web", "Injected"), "never counted twice");

    pods.add(injected("web-7d9f-b8n4q", "uid-2"));
    events.confirm(clock.instant());
    assertEquals(2, events.pending("ns", "web", "Injected"), "the second pod arrives later");
  }

  @Test
  void anInjectionClaimedForAPodThatCarriesNoneCountsNothing() {
    admitted("web-1", true);
    pods.add(Pods.named("web-1").uid("uid-1").build());
    events.confirm(clock.instant());
    assertEquals(0, events.pending("ns", "web", "Injected"));
  }
}

package io.keepalive.webhook;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.keepalive.pods.PodDirectory;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Events on policies, aggregated: admissions only count (no API call on the admission path); {@link
 * #flush()} writes what {@link EventWindow} says: one Event per policy and reason, its count raised
 * while it is younger than the window.
 *
 * <p>An Event tells what happened to a pod, so it waits until the pod exists: whoever can reach the
 * webhook's port can post a review for a pod that never will (and the API server may still reject
 * one the webhook answered). An admission is {@link #expect expected}; each flush looks for its pod
 * among those the operator's pod informer holds ({@link PodDirectory}): the same name (or, for a
 * pod named by the API server after admission, its generateName followed by five characters),
 * injected if the admission injected it and not otherwise, and not already counted. What finds no
 * pod within {@link #CONFIRM_WITHIN} makes no Event.
 */
public final class PolicyEvents {
  private static final Logger LOG = Logger.getLogger(PolicyEvents.class);
  public static final String COMPONENT = "keepalive-operator-webhook";

  /** How long an admission waits for its pod to show up in the informer. */
  static final Duration CONFIRM_WITHIN = Duration.ofSeconds(30);

  /** Admissions waiting for their pod; past it the oldest are dropped. */
  static final int MAX_EXPECTED = 10_000;

  /** The characters the API server appends to a generateName. */
  private static final int GENERATED_SUFFIX = 5;

  private final KubernetesClient client;
  private final PodDirectory pods;
  private final EventWindow window;
  private final Clock clock;
  private final Map<Key, Tally> tallies = new ConcurrentHashMap<>();
  private final Deque<Expected> expected = new ArrayDeque<>();

  /** Pods already counted (by uid) and when: each pod makes one admission's Events, once. */
  private final Map<String, Instant> counted = new LinkedHashMap<>();

  /** An Event to write about a pod once it exists; the message is told the pod's real name. */
  public record Planned(
      KeepalivePolicy policy, String reason, boolean warning, Function<String, String> message) {}

  /**
   * One admission's Events, waiting for its pod.
   *
   * @param pod the name, or the generateName followed by "*"
   */
  record Expected(
      String namespace, String pod, boolean injected, List<Planned> events, Instant at) {}

  record Key(String namespace, String policy, String reason) {}

  private static final class Tally {
    String uid;
    String apiVersion;
    boolean warning;
    int pending;
    String lastMessage;
    EventWindow.Written written;
  }

  public PolicyEvents(KubernetesClient client, PodDirectory pods, Duration window, Clock clock) {
    this.client = client;
    this.pods = pods;
    this.window = new EventWindow(window);
    this.clock = clock;
  }

  /**
   * The Events of one admission, written once its pod exists.
   *
   * @param pod the pod's name, or its generateName followed by "*"
   * @param injected whether the webhook injected it (the pod must carry the injection, or not)
   */
  public void expect(String namespace, String pod, boolean injected, List<Planned> events) {
    if (events.isEmpty()) {
      return;
    }
    synchronized (expected) {
      if (expected.size() >= MAX_EXPECTED) {
        expected.pollFirst();
      }
      expected.addLast(new Expected(namespace, pod, injected, events, clock.instant()));
    }
  }

  /** Counts the Events of the expected admissions whose pods now exist; forgets the expired. */
  void confirm(Instant now) {
    List<Expected> waiting;
    synchronized (expected) {
      waiting = new ArrayList<>(expected);
      expected.clear();
    }
    // a pod that shows up only now is not the one of an admission that long ago
    waiting.removeIf(e -> !e.at().plus(CONFIRM_WITHIN).isAfter(now));
    counted.values().removeIf(at -> at.isBefore(now.minus(CONFIRM_WITHIN.multipliedBy(2))));
    Map<String, List<Expected>> byNamespace = new LinkedHashMap<>();
    waiting.forEach(e -> byNamespace.computeIfAbsent(e.namespace(), k -> new ArrayList<>()).add(e));
    List<Expected> still = new ArrayList<>();
    for (var namespace : byNamespace.entrySet()) {
      List<Expected> left = new ArrayList<>(namespace.getValue());
      pods.pods(namespace.getKey())
          .filter(pod -> !counted.containsKey(pod.getMetadata().getUid()))
          .forEach(
              pod -> {
                Expected match = matching(left, pod);
                if (match != null) {
                  left.remove(match);
                  counted.put(pod.getMetadata().getUid(), now);
                  for (Planned event : match.events()) {
                    record(
                        event.policy(),
                        event.reason(),
                        event.warning(),
                        event.message().apply(pod.getMetadata().getName()));
                  }
                }
              });
      still.addAll(left);
    }
    synchronized (expected) {
      for (int i = still.size() - 1; i >= 0; i--) {
        expected.addFirst(still.get(i)); // before what came in meanwhile, in their order
      }
    }
  }

  /** The first expected admission this pod can be the pod of, or null. */
  static Expected matching(List<Expected> expected, Pod pod) {
    String name = pod.getMetadata().getName();
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    boolean injected = annotations != null && annotations.containsKey(PodMarks.HASH_ANNOTATION);
    for (Expected e : expected) {
      boolean named =
          e.pod().endsWith("*")
              ? name.length() == e.pod().length() - 1 + GENERATED_SUFFIX
                  && name.startsWith(e.pod().substring(0, e.pod().length() - 1))
              : name.equals(e.pod());
      if (named && e.injected() == injected) {
        return e;
      }
    }
    return null;
  }

  /** Counted and not written yet, for this policy and reason (tests). */
  int pending(String namespace, String policy, String reason) {
    Tally tally = tallies.get(new Key(namespace, policy, reason));
    return tally == null ? 0 : tally.pending;
  }

  private void record(KeepalivePolicy policy, String reason, boolean warning, String message) {
    Key key = new Key(policy.getMetadata().getNamespace(), policy.getMetadata().getName(), reason);
    // compute: atomic with flush(), which takes the pending count or forgets a tally under the same
    // key
    tallies.compute(
        key,
        (k, t) -> {
          Tally tally = t != null ? t : new Tally();
          tally.uid = policy.getMetadata().getUid();
          tally.apiVersion = policy.getApiVersion();
          tally.warning = warning;
          tally.pending++;
          tally.lastMessage = message;
          return tally;
        });
  }

  /**
   * Writes what was counted since the last flush; called from a timer, never on the admission path.
   */
  public void flush() {
    Instant now = clock.instant();
    confirm(now);
    for (Key k : List.copyOf(tallies.keySet())) {
      EventWindow.Step[] step = new EventWindow.Step[1];
      String[] message = new String[1];
      Tally t =
          tallies.computeIfPresent(
              k,
              (key, tally) -> {
                step[0] = window.next(tally.written, tally.pending, now);
                message[0] = tally.lastMessage;
                tally.pending = 0;
                return step[0] instanceof EventWindow.Step.Forget ? null : tally;
              });
      if (t == null) {
        continue;
      }
      try {
        if (step[0] instanceof EventWindow.Step.Create create) {
          String name =
              k.policy()
                  + "."
                  + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
          client
              .v1()
              .events()
              .inNamespace(k.namespace())
              .resource(event(k, t, name, create.count(), message[0], now))
              .create();
          t.written = new EventWindow.Written(name, create.count(), now);
        } else if (step[0] instanceof EventWindow.Step.Raise raise) {
          client
              .v1()
              .events()
              .inNamespace(k.namespace())
              .withName(raise.name())
              .patch(
                  PatchContext.of(PatchType.JSON_MERGE),
                  client
                      .getKubernetesSerialization()
                      .asJson(
                          Map.of(
                              "count",
                              raise.count(),
                              "lastTimestamp",
                              now.toString(),
                              "message",
                              message[0])));
          t.written = new EventWindow.Written(raise.name(), raise.count(), t.written.first());
        }
      } catch (RuntimeException e) {
        // events are best effort; forget this one and start a fresh Event next time
        LOG.debugf(
            "cannot write event %s on policy %s/%s: %s",
            k.reason(), k.namespace(), k.policy(), e.getMessage());
        t.written = null;
      }
    }
  }

  private Event event(Key k, Tally t, String name, int count, String message, Instant now) {
    return new EventBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(k.namespace())
        .endMetadata()
        .withNewInvolvedObject()
        .withApiVersion(t.apiVersion)
        .withKind("KeepalivePolicy")
        .withName(k.policy())
        .withNamespace(k.namespace())
        .withUid(t.uid)
        .endInvolvedObject()
        .withReason(k.reason())
        .withMessage(message)
        .withType(t.warning ? "Warning" : "Normal")
        .withCount(count)
        .withFirstTimestamp(now.toString())
        .withLastTimestamp(now.toString())
        .withNewSource()
        .withComponent(COMPONENT)
        .endSource()
        .withReportingComponent(COMPONENT)
        .withReportingInstance(System.getenv().getOrDefault("HOSTNAME", COMPONENT))
        .build();
  }
}

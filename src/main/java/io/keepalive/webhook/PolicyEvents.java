package io.keepalive.webhook;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.keepalive.policy.KeepalivePolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Events on policies, aggregated: admissions only count (no API call on the admission path); {@link
 * #flush()} writes what {@link EventWindow} says: one Event per policy and reason, its count raised
 * while it is younger than the window.
 */
public final class PolicyEvents {
  private static final Logger LOG = Logger.getLogger(PolicyEvents.class);
  public static final String COMPONENT = "keepalive-operator-webhook";
  private final KubernetesClient client;
  private final EventWindow window;
  private final Clock clock;
  private final Map<Key, Tally> tallies = new ConcurrentHashMap<>();

  record Key(String namespace, String policy, String reason) {}

  private static final class Tally {
    String uid;
    String apiVersion;
    boolean warning;
    int pending;
    String lastMessage;
    EventWindow.Written written;
  }

  public PolicyEvents(KubernetesClient client, Duration window, Clock clock) {
    this.client = client;
    this.window = new EventWindow(window);
    this.clock = clock;
  }

  public void record(KeepalivePolicy policy, String reason, boolean warning, String message) {
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

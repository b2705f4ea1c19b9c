package io.keepalive.webhook;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.keepalive.policy.KeepalivePolicy;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Events on policies, aggregated: admissions only count (no API call on the admission path); {@link #flush()}
 * writes one Event per policy and reason, and raises its count while it is younger than the window, so a
 * Deployment of 100 pods makes one Event with count 100, not 100 Events.
 */
public final class PolicyEvents {
    private static final Logger LOG = Logger.getLogger(PolicyEvents.class);
    public static final String COMPONENT = "keepalive-operator-webhook";
    private final KubernetesClient client;
    private final Duration window;
    private final Map<Key, Tally> tallies = new ConcurrentHashMap<>();

    record Key(String namespace, String policy, String reason) {
    }

    private static final class Tally {
        String uid;
        String apiVersion;
        boolean warning;
        int pending;
        String lastMessage;
        String eventName;
        int written;
        Instant firstWritten;
    }

    public PolicyEvents(KubernetesClient client, Duration window) {
        this.client = client;
        this.window = window;
    }

    public void record(KeepalivePolicy policy, String reason, boolean warning, String message) {
        Key key = new Key(policy.getMetadata().getNamespace(), policy.getMetadata().getName(), reason);
        // compute: atomic with flush(), which resets or forgets a tally under the same key
        tallies.compute(key, (k, t) -> {
            Tally tally = t != null ? t : new Tally();
            tally.uid = policy.getMetadata().getUid();
            tally.apiVersion = policy.getApiVersion();
            tally.warning = warning;
            tally.pending++;
            tally.lastMessage = message;
            return tally;
        });
    }

    /** Writes what was counted since the last flush; called from a timer, never on the admission path. */
    public void flush() {
        Instant now = Instant.now();
        for (Key k : List.copyOf(tallies.keySet())) {
            int[] pending = new int[1];
            String[] last = new String[1];
            Tally t = tallies.computeIfPresent(k, (key, tally) -> {
                if (tally.pending == 0) {
                    // forget policies that went quiet (deleted ones included) once their Event can no longer grow
                    boolean done = tally.firstWritten == null || tally.firstWritten.plus(window).isBefore(now);
                    return done ? null : tally;
                }
                pending[0] = tally.pending;
                last[0] = tally.lastMessage;
                tally.pending = 0;
                return tally;
            });
            if (t == null || pending[0] == 0) {
                continue;
            }
            String message = last[0];
            try {
                if (t.eventName == null || t.firstWritten.plus(window).isBefore(now)) {
                    t.eventName = k.policy() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
                    t.written = pending[0];
                    t.firstWritten = now;
                    client.v1().events().inNamespace(k.namespace()).resource(event(k, t, message, now)).create();
                } else {
                    t.written += pending[0];
                    client.v1().events().inNamespace(k.namespace()).withName(t.eventName)
                            .patch(PatchContext.of(PatchType.JSON_MERGE), client.getKubernetesSerialization().asJson(
                                    Map.of("count", t.written, "lastTimestamp", now.toString(), "message", message)));
                }
            } catch (RuntimeException e) {
                // events are best effort; forget this one and start a fresh Event next time
                LOG.debugf("cannot write event %s on policy %s/%s: %s", k.reason(), k.namespace(), k.policy(), e.getMessage());
                t.eventName = null;
            }
        }
    }

    private Event event(Key k, Tally t, String message, Instant now) {
        return new EventBuilder()
                .withNewMetadata().withName(t.eventName).withNamespace(k.namespace()).endMetadata()
                .withNewInvolvedObject().withApiVersion(t.apiVersion).withKind("KeepalivePolicy")
                .withName(k.policy()).withNamespace(k.namespace()).withUid(t.uid).endInvolvedObject()
                .withReason(k.reason())
                .withMessage(message)
                .withType(t.warning ? "Warning" : "Normal")
                .withCount(t.written)
                .withFirstTimestamp(now.toString())
                .withLastTimestamp(now.toString())
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .withReportingInstance(System.getenv().getOrDefault("HOSTNAME", COMPONENT))
                .build();
    }
}

package io.keepalive.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.operator.OperatorSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import io.keepalive.policy.KeepalivePolicy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Brings the webhook up in the operator: server version, caches, certificate, HTTPS server, then the
 * MutatingWebhookConfiguration (last, so that the API server is never pointed at a webhook that cannot
 * answer). Runs off the startup thread: the caches wait for the CRD, which the operator may install first.
 */
@ApplicationScoped
public class Webhook {
    private static final Logger LOG = Logger.getLogger(Webhook.class);
    /** How often events are written and an external certificate is re-read. */
    private static final long HOUSEKEEPING_MS = 5_000;
    private static final long RETRY_MS = 10_000;
    private static final long SECRET_CHECK_MS = 3_600_000;
    private volatile long lastSecretCheck = System.currentTimeMillis();

    private final KubernetesClient client;
    private final OperatorSettings settings;
    /** Pod Security level of namespaces without an enforce label (the API server's admission default). */
    private final PodSecurity.Level defaultLevel;
    private final Vertx vertx;
    private final WebhookMetrics metrics;
    private final PolicyEvents events;
    private final ObjectMapper mapper = new ObjectMapper();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile AdmissionHandler handler;
    private volatile WebhookServer server;
    private volatile WebhookCaches caches;
    private volatile WebhookTls.Material tls;
    private long timer = -1;

    public Webhook(KubernetesClient client, OperatorSettings settings, Vertx vertx, MeterRegistry registry) {
        this.client = client;
        this.settings = settings;
        this.defaultLevel = PodSecurity.Level.valueOf(
                settings.webhook().podSecurityDefaultEnforce().trim().toLowerCase(Locale.ROOT));
        this.vertx = vertx;
        this.metrics = new WebhookMetrics(registry);
        this.events = new PolicyEvents(client, Duration.ofMinutes(10));
    }

    void onStart(@Observes StartupEvent event) {
        if (!settings.webhook().enabled()) {
            LOG.info("webhook disabled (keepalive.webhook.enabled=false)");
            return;
        }
        attempt(1);
    }

    /** Retries until it works (RBAC or the API server may come right later); ready() stays false meanwhile. */
    private void attempt(int n) {
        CompletableFuture.runAsync(this::bringUp).whenComplete((v, e) -> {
            if (e == null) {
                ready.complete(null);
                return;
            }
            LOG.errorf(e, "webhook failed to start (attempt %d), retrying in %d s; pods are created without injection "
                    + "meanwhile", n, RETRY_MS / 1000);
            tearDown();
            vertx.setTimer(RETRY_MS, id -> attempt(n + 1));
        });
    }

    private void bringUp() {
        var version = client.getKubernetesVersion();
        KubeVersion serverVersion = KubeVersion.of(version.getMajor(), version.getMinor(), version.getGitVersion())
                .orElseThrow(() -> new IllegalStateException("unreadable API server version " + version.getGitVersion()));
        ClusterFacts facts = new ClusterFacts(serverVersion);
        caches = new WebhookCaches(client, facts, settings.watchNamespaces().orElse(List.of()));
        caches.start().join();
        handler = new AdmissionHandler(mapper, caches, new PodInjector(new InjectedContainers(settings), mapper),
                defaultLevel, new WebhookOutcomes(metrics, events));
        tls = WebhookTls.load(client, settings);
        server = new WebhookServer(vertx, settings.webhook().port(), settings.webhook().path(), () -> handler, metrics);
        server.start(tls.serving());
        if (settings.webhook().manageConfiguration()) {
            WebhookRegistration.apply(client, WebhookRegistration.desired(settings, tls.caBundle()));
            LOG.infof("MutatingWebhookConfiguration %s registered (API server %s)",
                    settings.webhook().configurationName(), serverVersion);
        }
        // ordered: a slow flush (API server busy) must not overlap the next one
        timer = vertx.setPeriodic(HOUSEKEEPING_MS, id -> vertx.executeBlocking(() -> {
            housekeeping();
            return null;
        }, true));
    }

    /**
     * Writes aggregated events; picks up a certificate that cert-manager renewed (every round, a local file
     * read) or renews the self-managed one (hourly: the Secret is reused until a third of its lifetime is left).
     */
    private void housekeeping() {
        events.flush();
        boolean external = settings.webhook().certificateDir().isPresent();
        long now = System.currentTimeMillis();
        if (!external && now - lastSecretCheck < SECRET_CHECK_MS) {
            return;
        }
        lastSecretCheck = now;
        try {
            WebhookTls.Material current = WebhookTls.load(client, settings);
            if (!current.serving().equals(tls.serving())) {
                if (settings.webhook().manageConfiguration() && !current.caBundle().equals(tls.caBundle())) {
                    // trust both CAs before presenting the new certificate, so no admission sees an unknown CA
                    WebhookRegistration.apply(client, WebhookRegistration.desired(settings,
                            current.caBundle() + tls.caBundle()));
                }
                server.updateCertificate(current.serving());
                tls = current;
                LOG.info("webhook certificate renewed");
            }
        } catch (RuntimeException e) {
            LOG.warnf("cannot re-read the webhook certificate: %s", e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        tearDown();
    }

    private void tearDown() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        if (server != null) {
            server.stop();
            server = null;
        }
        if (caches != null) {
            caches.close();
            caches = null;
        }
    }

    /** Waits until the webhook serves and is registered (tests, readiness). */
    public void awaitReady(Duration timeout) {
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("webhook not ready: " + e.getMessage(), e);
        }
    }

    /** The handler the server uses (benchmarks time it without HTTP). */
    public AdmissionHandler handler() {
        return handler;
    }

    public WebhookServer server() {
        return server;
    }

    /**
     * Why no new pod of {@code namespace} can take {@code policy}, whatever the pod: the namespace opted out, or
     * its Pod Security (with the cluster version) rules out the policy's strategy. Empty when pods can take it,
     * or while the caches are not up. The status uses it to say why pods carry nothing.
     */
    public Optional<SkipReason> skipsEveryPodOf(String namespace, KeepalivePolicy policy) {
        WebhookCaches view = caches;
        if (view == null) {
            return Optional.empty();
        }
        return InjectionDecision.namespaceRulesOut(namespace, view.namespaceLabels(namespace), policy,
                defaultLevel, view.facts()).map(InjectionDecision.Skip::reason);
    }

    public ClusterView caches() {
        return caches;
    }
}

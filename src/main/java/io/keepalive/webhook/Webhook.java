package io.keepalive.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.namespaces.NamespaceRules;
import io.keepalive.pods.PodDirectory;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.rules.PodInjector;
import io.keepalive.settings.OperatorSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Brings the webhook up in the operator: server version, caches, certificate, HTTPS server, then
 * the MutatingWebhookConfiguration (last, so that the API server is never pointed at a webhook that
 * cannot answer); then, on one timer, the Events counted meanwhile ({@link PolicyEvents}) and the
 * certificate's rotation ({@link CertificateRotation}). Runs off the startup thread: the caches
 * wait for the CRD, which the operator may install first.
 */
@ApplicationScoped
public class Webhook {
  private static final Logger LOG = Logger.getLogger(Webhook.class);

  /**
   * How often events are written and the certificate's rotation is asked whether a check is due.
   */
  private static final long HOUSEKEEPING_MS = 5_000;

  private static final long RETRY_MS = 10_000;

  /**
   * A self-managed certificate is renewed with a third of its lifetime left: an hourly look is
   * plenty.
   */
  private static final Duration SECRET_CHECK = Duration.ofHours(1);

  private static final Duration EVENT_WINDOW = Duration.ofMinutes(10);

  /**
   * Enough for the JIT to compile the review path before the first real review ({@link
   * ReviewWarmup}): about 300 through each of its 12 policies' paths; a few seconds of startup
   * (bench/results/kyverno.md).
   */
  private static final int WARMUP_REVIEWS = 4000;

  private final KubernetesClient client;
  private final OperatorSettings settings;
  private final NamespaceRules namespaces;
  private final Vertx vertx;
  private final Clock clock;
  private final WebhookMetrics metrics;
  private final PolicyEvents events;
  private final CertificateExpiryMetric certificateExpiry;
  private final ObjectMapper mapper = new ObjectMapper();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private volatile AdmissionHandler handler;
  private volatile WebhookServer server;
  private volatile WebhookCaches caches;
  private long timer = -1;

  /**
   * The webhook's own event loop. Reviews are answered on the event loop that received them, and
   * the Kubernetes client decodes its watch events on the application's event loops: sharing one, a
   * pod's review waited behind the decoding of other pods' events (in the first minute still run
   * interpreted), and a relist of a large cluster would hold admissions for as long as it takes.
   */
  private volatile Vertx admissions;

  public Webhook(
      KubernetesClient client,
      OperatorSettings settings,
      NamespaceRules namespaces,
      Vertx vertx,
      MeterRegistry registry,
      PodDirectory pods,
      Clock clock) {
    this.client = client;
    this.settings = settings;
    this.namespaces = namespaces;
    this.vertx = vertx;
    this.clock = clock;
    this.metrics = new WebhookMetrics(registry);
    this.certificateExpiry = new CertificateExpiryMetric(registry);
    this.events = new PolicyEvents(client, pods, EVENT_WINDOW, clock);
  }

  void onStart(@Observes StartupEvent event) {
    if (!settings.webhook().enabled()) {
      LOG.info("webhook disabled (keepalive.webhook.enabled=false)");
      return;
    }
    attempt(1);
  }

  /**
   * Retries until it works (RBAC or the API server may come right later); ready() stays false
   * meanwhile.
   */
  private void attempt(int n) {
    CompletableFuture.runAsync(this::bringUp)
        .whenComplete(
            (v, e) -> {
              if (e == null) {
                ready.complete(null);
                return;
              }
              LOG.errorf(
                  e,
                  "webhook failed to start (attempt %d), retrying in %d s; pods are created without injection "
                      + "meanwhile",
                  n,
                  RETRY_MS / 1000);
              tearDown();
              vertx.setTimer(RETRY_MS, id -> attempt(n + 1));
            });
  }

  private void bringUp() {
    ClusterFacts facts = namespaces.facts();
    caches = new WebhookCaches(client, namespaces, settings.watchNamespaces().orElse(List.of()));
    caches.start().join();
    handler =
        new AdmissionHandler(
            new AdmissionCodec(mapper),
            caches,
            new PodInjector(new InjectedContainers(settings), mapper),
            namespaces.defaultLevel(),
            new WebhookOutcomes(metrics, events));
    WebhookTls.Material tls = WebhookTls.load(client, settings, clock.instant());
    if (admissions == null) {
      admissions =
          Vertx.vertx(
              new VertxOptions()
                  .setEventLoopPoolSize(1)
                  .setWorkerPoolSize(1)
                  .setInternalBlockingPoolSize(1));
    }
    warmUp(tls.serving(), facts);
    server =
        new WebhookServer(
            admissions,
            settings.webhook().port(),
            settings.webhook().path(),
            () -> handler,
            metrics,
            WebhookServer.Limits.defaults(),
            settings.webhook().clientCaFile().map(Path::of));
    server.start(tls.serving());
    certificateExpiry.presenting(tls.serving());
    if (settings.webhook().manageConfiguration()) {
      register(tls.caBundle());
      LOG.infof(
          "MutatingWebhookConfiguration %s registered (API server %s)",
          settings.webhook().configurationName(), facts.serverVersion());
    }
    WebhookServer serving = server;
    // cert-manager renews the files at any time: look every round (a local read); the Secret hourly
    CertificateRotation rotation =
        new CertificateRotation(
            () -> WebhookTls.load(client, settings, clock.instant()),
            settings.webhook().certificateDir().isPresent() ? Duration.ZERO : SECRET_CHECK,
            clock,
            tls,
            caBundle -> {
              if (settings.webhook().manageConfiguration()) {
                register(caBundle);
              }
            },
            pem -> {
              serving.updateCertificate(pem);
              certificateExpiry.presenting(pem);
            });
    // ordered: a slow flush (API server busy) must not overlap the next one
    timer =
        vertx.setPeriodic(
            HOUSEKEEPING_MS,
            id ->
                vertx.executeBlocking(
                    () -> {
                      events.flush();
                      rotation.tick();
                      return null;
                    },
                    true));
  }

  /** An optimization: when it fails the webhook serves all the same, only slower at first. */
  private void warmUp(WebhookCertificates.Pem serving, ClusterFacts facts) {
    try {
      ReviewWarmup.Warmed warmed =
          ReviewWarmup.run(
              admissions,
              serving,
              () -> new PodInjector(new InjectedContainers(settings), mapper),
              facts,
              WARMUP_REVIEWS,
              2);
      LOG.infof(
          "review path warmed with %d synthetic reviews in %d ms (%s)",
          WARMUP_REVIEWS, warmed.took().toMillis(), String.join(", ", warmed.decisions()));
    } catch (RuntimeException e) {
      LOG.warnf(e, "warming up the review path failed; serving without");
    }
  }

  private void register(String caBundle) {
    WebhookRegistration.apply(client, WebhookRegistration.desired(settings, caBundle));
  }

  void onStop(@Observes ShutdownEvent event) {
    tearDown();
    if (admissions != null) {
      admissions.close().toCompletionStage().toCompletableFuture().join();
      admissions = null;
    }
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

  public ClusterView caches() {
    return caches;
  }
}

package io.keepalive.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.KeepalivePolicySpec;
import io.keepalive.policy.spec.PodSelector;
import io.keepalive.policy.spec.TcpKeepalive;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.rules.PodInjector;
import io.keepalive.rules.PodSecurity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Makes the API server's first calls about as fast as its thousandth. A JVM runs new code
 * interpreted until it has run it often enough to compile it, and a webhook called at the rate a
 * cluster creates pods takes many minutes to get there: a fresh operator added several milliseconds
 * to each pod creation for its first minutes (bench/results/kyverno.md). So before the webhook
 * serves, synthetic pod CREATE reviews go through the same classes: a throwaway server on a
 * loopback port, called over TLS and HTTP/2 as the API server calls it, with a handler over a
 * synthetic policy. Nothing of it is counted, recorded or written: its metrics, events and
 * injection cache are its own.
 */
final class ReviewWarmup {
  static final String NAMESPACE = "keepalive-warmup";
  private static final String PATH = "/warmup";

  private ReviewWarmup() {}

  /**
   * Sends {@code reviews} reviews, alternately one the synthetic policy injects and one no policy
   * selects, on {@code connections} connections in parallel; returns how long it took.
   */
  static Duration run(
      Vertx vertx,
      WebhookCertificates.Pem serving,
      Supplier<PodInjector> injector,
      ClusterFacts facts,
      int reviews,
      int connections) {
    long start = System.nanoTime();
    ObjectMapper mapper = new ObjectMapper();
    AdmissionHandler handler =
        new AdmissionHandler(
            new AdmissionCodec(mapper),
            new SyntheticCluster(policy(), facts),
            injector.get(),
            PodSecurity.Level.privileged,
            (namespace, pod, decision, podSetsSysctls) -> {});
    WebhookServer server =
        new WebhookServer(
            vertx,
            "127.0.0.1",
            0,
            PATH,
            () -> handler,
            new WebhookMetrics(new SimpleMeterRegistry()),
            WebhookServer.Limits.defaults(),
            Optional.empty());
    server.start(serving);
    HttpClient client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setSsl(true)
                // our own server on loopback, presenting the certificate we just gave it
                .setTrustAll(true)
                .setVerifyHost(false)
                .setUseAlpn(true)
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2MaxPoolSize(connections));
    try {
      List<Buffer> bodies =
          List.of(
              Buffer.buffer(review(mapper, NAMESPACE, "injected")),
              Buffer.buffer(review(mapper, NAMESPACE + "-none", "plain")));
      RequestOptions post =
          new RequestOptions()
              .setMethod(HttpMethod.POST)
              .setHost("127.0.0.1")
              .setPort(server.port())
              .setURI(PATH)
              .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
      Future<?>[] loops = new Future<?>[connections];
      int each = Math.max(1, reviews / connections);
      for (int c = 0; c < connections; c++) {
        loops[c] = loop(client, post, bodies, each);
      }
      Future.all(List.of(loops)).toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException("warming up the webhook failed: " + e.getMessage(), e);
    } finally {
      client.close();
      server.stop();
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /**
   * {@code left} reviews one after another, alternating the bodies; each answer sends the next (a
   * callback, not a chain of composed futures: those would nest as deep as the loop is long).
   */
  private static Future<Void> loop(
      HttpClient client, RequestOptions post, List<Buffer> bodies, int left) {
    Promise<Void> done = Promise.promise();
    next(client, post, bodies, left, done);
    return done.future();
  }

  private static void next(
      HttpClient client, RequestOptions post, List<Buffer> bodies, int left, Promise<Void> done) {
    if (left == 0) {
      done.complete();
      return;
    }
    client
        .request(post)
        .compose(request -> request.send(bodies.get(left % bodies.size())))
        .compose(
            response ->
                response.statusCode() == 200
                    ? response.body()
                    : Future.failedFuture("HTTP " + response.statusCode()))
        .onComplete(
            answered -> {
              if (answered.failed()) {
                done.fail(answered.cause());
              } else {
                next(client, post, bodies, left - 1, done);
              }
            });
  }

  /** The policy the injected reviews fall under: strategy Auto, the agent on (the defaults). */
  static KeepalivePolicy policy() {
    KeepalivePolicy policy = new KeepalivePolicy();
    policy.setMetadata(
        new ObjectMetaBuilder()
            .withName("warmup")
            .withNamespace(NAMESPACE)
            .withUid("keepalive-warmup")
            .withGeneration(1L)
            .withCreationTimestamp("2020-01-01T00:00:00Z")
            .build());
    KeepalivePolicySpec spec = new KeepalivePolicySpec();
    spec.setSelector(new PodSelector(Map.of("app", "warmup")));
    spec.setTcp(new TcpKeepalive(300, 30, 5));
    policy.setSpec(spec);
    return policy;
  }

  /** A pod CREATE review as the API server sends it. */
  static byte[] review(ObjectMapper mapper, String namespace, String name) throws Exception {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(Map.of("app", "warmup"))
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("registry.example/app:1")
            .endContainer()
            .endSpec()
            .build();
    ObjectNode review =
        mapper
            .createObjectNode()
            .put("apiVersion", AdmissionCodec.API_VERSION)
            .put("kind", "AdmissionReview");
    ObjectNode request =
        review
            .putObject("request")
            .put("uid", "warmup")
            .put("operation", "CREATE")
            .put("namespace", namespace)
            .put("name", name);
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    request.set("object", mapper.valueToTree(pod));
    return mapper.writeValueAsBytes(review);
  }

  /** One namespace with the synthetic policy, another without any. */
  private record SyntheticCluster(KeepalivePolicy policy, ClusterFacts facts)
      implements ClusterView {
    @Override
    public List<KeepalivePolicy> policies(String namespace) {
      return NAMESPACE.equals(namespace) ? List.of(policy) : List.of();
    }

    @Override
    public Optional<Map<String, String>> namespaceLabels(String namespace) {
      return Optional.of(Map.of());
    }
  }
}

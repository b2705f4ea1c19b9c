package io.keepalive.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.KeepalivePolicySpec;
import io.keepalive.policy.spec.AgentSettings;
import io.keepalive.policy.spec.InjectionStrategy;
import io.keepalive.policy.spec.PodSelector;
import io.keepalive.policy.spec.TcpKeepalive;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.rules.InjectionDecision;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Makes the API server's first calls about as fast as its thousandth. A JVM runs new code
 * interpreted until it has run it often enough to compile it, and a webhook called at the rate a
 * cluster creates pods takes many minutes to get there: a fresh operator added several milliseconds
 * to each pod creation for its first minutes (bench/results/kyverno.md). So before the webhook
 * serves, synthetic pod CREATE reviews go through the same classes: a throwaway server on a
 * loopback port, called over TLS and HTTP/2 as the API server calls it, with a handler over
 * synthetic policies: one per way a real policy injects (each strategy, with and without the agent,
 * in a namespace with and without Pod Security restricted; the real cluster's facts, whose version
 * decides what Auto becomes), so that whichever a cluster's policies take is compiled (warmed on
 * one policy only, Auto with the agent, the pods of a policy without the agent in a restricted
 * namespace paid about 0.8 ms more each in the operator's first minute). Nothing of it is counted,
 * recorded or written: its metrics, events and injection cache are its own.
 */
final class ReviewWarmup {
  static final String NAMESPACE = "keepalive-warmup";
  private static final String RESTRICTED_SUFFIX = "-restricted";
  private static final String PATH = "/warmup";

  private ReviewWarmup() {}

  /** How long the warm-up took, and the decisions its reviews went through, sorted. */
  record Warmed(Duration took, List<String> decisions) {}

  /**
   * Sends {@code reviews} reviews, in turn to each synthetic policy's namespace and to one no
   * policy selects, on {@code connections} connections in parallel.
   */
  static Warmed run(
      Vertx vertx,
      WebhookCertificates.Pem serving,
      Supplier<PodInjector> injector,
      ClusterFacts facts,
      int reviews,
      int connections) {
    long start = System.nanoTime();
    ObjectMapper mapper = new ObjectMapper();
    Set<String> decisions = ConcurrentHashMap.newKeySet();
    Map<String, KeepalivePolicy> policies = policies();
    AdmissionHandler handler =
        new AdmissionHandler(
            new AdmissionCodec(mapper),
            new SyntheticCluster(policies, facts),
            injector.get(),
            PodSecurity.Level.privileged,
            (namespace, pod, decision, podSetsSysctls) -> decisions.add(describe(decision)));
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
      List<Buffer> bodies = new ArrayList<>();
      for (String namespace : policies.keySet()) {
        bodies.add(Buffer.buffer(review(mapper, namespace, "injected")));
      }
      bodies.add(Buffer.buffer(review(mapper, NAMESPACE + "-none", "plain")));
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
    return new Warmed(
        Duration.ofNanos(System.nanoTime() - start), decisions.stream().sorted().toList());
  }

  /** "Inject SecurityContext", "Skip PodSecurityForbidsPrivileged", ... */
  static String describe(InjectionDecision decision) {
    if (decision instanceof InjectionDecision.Inject inject) {
      return "Inject " + inject.strategy();
    }
    return "Skip " + ((InjectionDecision.Skip) decision).reason();
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

  /**
   * A policy per strategy, with the agent and without, in a namespace without an enforced level
   * (privileged) and in one enforcing restricted (where InitContainer is refused), each policy in
   * its own namespace, by name.
   */
  static Map<String, KeepalivePolicy> policies() {
    Map<String, KeepalivePolicy> policies = new LinkedHashMap<>();
    for (InjectionStrategy strategy : InjectionStrategy.values()) {
      for (boolean agent : List.of(true, false)) {
        for (boolean restricted : List.of(false, true)) {
          String namespace =
              NAMESPACE + "-" + policies.size() + (restricted ? RESTRICTED_SUFFIX : "");
          KeepalivePolicy policy = new KeepalivePolicy();
          policy.setMetadata(
              new ObjectMetaBuilder()
                  .withName("warmup")
                  .withNamespace(namespace)
                  .withUid(namespace)
                  .withGeneration(1L)
                  .withCreationTimestamp("2020-01-01T00:00:00Z")
                  .build());
          KeepalivePolicySpec spec = new KeepalivePolicySpec();
          spec.setSelector(new PodSelector(Map.of("app", "warmup")));
          spec.setTcp(new TcpKeepalive(300, 30, 5));
          spec.setStrategy(strategy);
          AgentSettings settings = new AgentSettings();
          settings.setEnabled(agent);
          spec.setAgent(settings);
          policy.setSpec(spec);
          policies.put(namespace, policy);
        }
      }
    }
    return policies;
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

  /** The synthetic policies' namespaces, and one without any. */
  private record SyntheticCluster(Map<String, KeepalivePolicy> policies, ClusterFacts facts)
      implements ClusterView {
    @Override
    public List<KeepalivePolicy> policies(String namespace) {
      KeepalivePolicy policy = policies.get(namespace);
      return policy == null ? List.of() : List.of(policy);
    }

    @Override
    public Optional<Map<String, String>> namespaceLabels(String namespace) {
      return Optional.of(
          namespace.endsWith(RESTRICTED_SUFFIX)
              ? Map.of(PodSecurity.ENFORCE_LABEL, "restricted")
              : Map.of());
    }
  }
}

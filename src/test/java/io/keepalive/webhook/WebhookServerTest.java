package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.rules.KubeVersion;
import io.keepalive.rules.PodInjector;
import io.keepalive.rules.PodSecurity;
import io.keepalive.testing.FixedCluster;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real HTTPS server with its own CA (trusted by the client, hostname 127.0.0.1 verified):
 * malformed reviews get a 400 with a message, a body that is not JSON a 415, the webhook's own
 * failure a 500 counted apart, and the server keeps serving; what is not a pod CREATE passes
 * unchanged.
 */
class WebhookServerTest {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  static Vertx vertx;
  static WebhookServer server;
  static HttpClient http;
  static URI uri;

  static final String POD_REVIEW =
      """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
             "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
             "operation":"CREATE","namespace":"shop",
             "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","labels":{"app":"web"}},
                       "spec":{"containers":[{"name":"app","image":"app:1"}]}}}}
            """;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    var ca = WebhookCertificates.newCa("test-ca", Duration.ofDays(30), Instant.now());
    var serving =
        WebhookCertificates.issueServing(
            ca, List.of("localhost", "127.0.0.1"), Duration.ofDays(10), Instant.now());
    var policy =
        Policies.named("keepalive").namespace("shop").created("2026-01-01T00:00:00Z").build();
    var cluster =
        new FixedCluster(
            new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build(),
            List.of(policy),
            new ClusterFacts(new KubeVersion(1, 34)));
    AdmissionHandler handler =
        new AdmissionHandler(
            new AdmissionCodec(MAPPER),
            cluster,
            new PodInjector(new InjectedContainers(TestSettings.defaults()), MAPPER),
            PodSecurity.Level.privileged,
            (namespace, pod, decision, podSets) -> {
              if (pod.equals("crash")) {
                throw new IllegalStateException("a bug in the webhook");
              }
            });
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    server =
        new WebhookServer(vertx, port, "/mutate-pods", () -> handler, new WebhookMetrics(registry));
    server.start(serving);
    uri = URI.create("https://127.0.0.1:" + port + "/mutate-pods");

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", WebhookCertificates.certificate(ca.certificate()));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    http = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() {
    server.stop();
    vertx.close();
  }

  static HttpResponse<String> post(String body) throws IOException, InterruptedException {
    return post(uri, body);
  }

  static HttpResponse<String> post(URI target, String body)
      throws IOException, InterruptedException {
    return post(target, "application/json", body);
  }

  static HttpResponse<String> post(URI target, String contentType, String body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(target)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static double count(String name) {
    return registry.get(name).counter().count();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
            empty body         | ''                                                                  | empty body
            not JSON           | hello                                                               | not JSON
            JSON array         | []                                                                  | not a JSON object
            wrong version      | {"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview"} | expected apiVersion admission.k8s.io/v1
            wrong kind         | {"apiVersion":"admission.k8s.io/v1","kind":"Pod"}                  | kind AdmissionReview
            missing request    | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}      | no request
            missing uid        | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}} | no uid
            pod of wrong shape | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","operation":"CREATE","kind":{"group":"","kind":"Pod"},"object":{"spec":{"containers":"many"}}}} | not a Pod
            """)
  void malformedReviewsGet400AndTheServerKeepsServing(String name, String body, String message)
      throws Exception {
    double badBefore = count("keepalive.webhook.bad.requests");
    HttpResponse<String> bad = post(body);
    assertEquals(400, bad.statusCode(), name + ": " + bad.body());
    assertEquals(1, count("keepalive.webhook.bad.requests") - badBefore);
    assertTrue(bad.body().contains(message), name + ": " + bad.body());
    assertEquals(200, post(POD_REVIEW).statusCode(), "still serving after " + name);
  }

  @Test
  void truncatedReviewGets400() throws Exception {
    HttpResponse<String> bad = post(POD_REVIEW.substring(0, POD_REVIEW.length() / 2));
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(bad.body().contains("not JSON"), bad.body());
    assertEquals(200, post(POD_REVIEW).statusCode());
  }

  @Test
  void podCreateIsPatched() throws Exception {
    HttpResponse<String> ok = post(POD_REVIEW);
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("application/json", ok.headers().firstValue("Content-Type").orElse(""));
    JsonNode response = MAPPER.readTree(ok.body()).get("response");
    assertEquals("u-1", response.get("uid").asText());
    assertTrue(response.get("allowed").asBoolean());
    String patch =
        new String(
            Base64.getDecoder().decode(response.get("patch").asText()), StandardCharsets.UTF_8);
    assertTrue(patch.contains("net.ipv4.tcp_keepalive_time"), patch);
  }

  @Test
  void otherOperationsAndKindsPassUnchanged() throws Exception {
    String update = POD_REVIEW.replace("\"CREATE\"", "\"UPDATE\"");
    String secret = POD_REVIEW.replace("\"kind\":\"Pod\"},", "\"kind\":\"Secret\"},");
    for (String body : List.of(update, secret)) {
      HttpResponse<String> ok = post(body);
      assertEquals(200, ok.statusCode(), ok.body());
      JsonNode response = MAPPER.readTree(ok.body()).get("response");
      assertTrue(response.get("allowed").asBoolean());
      assertFalse(response.has("patch"), ok.body());
    }
  }

  @Test
  void wrongPathAndMethod() throws Exception {
    assertEquals(404, post(uri.resolve("/other"), POD_REVIEW).statusCode());
    var get =
        http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, get.statusCode());
  }

  @Test
  void oversizedBodyIsRefused() throws Exception {
    String huge =
        "{\"pad\":\"" + "x".repeat(WebhookServer.Limits.defaults().maxBodyBytes()) + "\"}";
    assertEquals(413, post(huge).statusCode());
    assertEquals(200, post(POD_REVIEW).statusCode());
  }

  @Test
  void aBodyThatIsNotJsonGets415() throws Exception {
    double badBefore = count("keepalive.webhook.bad.requests");
    HttpResponse<String> wrong = post(uri, "application/x-www-form-urlencoded", POD_REVIEW);
    assertEquals(415, wrong.statusCode(), wrong.body());
    assertEquals("application/json", wrong.headers().firstValue("Accept").orElse(""));
    assertEquals(1, count("keepalive.webhook.bad.requests") - badBefore);
    assertEquals(
        200,
        post(uri, "application/json; charset=utf-8", POD_REVIEW).statusCode(),
        "parameters are fine");
  }

  @Test
  void theWebhooksOwnFailureIs500AndCountedApartFromBadRequests() throws Exception {
    double badBefore = count("keepalive.webhook.bad.requests");
    double failedBefore = count("keepalive.webhook.failures");
    HttpResponse<String> failed = post(POD_REVIEW.replace("\"web-1\"", "\"crash\""));
    assertEquals(500, failed.statusCode(), failed.body());
    assertTrue(failed.body().contains("a bug in the webhook"), failed.body());
    assertEquals(1, count("keepalive.webhook.failures") - failedBefore);
    assertEquals(0, count("keepalive.webhook.bad.requests") - badBefore);
    assertEquals(200, post(POD_REVIEW).statusCode(), "still serving");
  }
}

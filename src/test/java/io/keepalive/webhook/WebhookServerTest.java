package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
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
  static final ObjectMapper MAPPER = WebhookFixture.MAPPER;
  static final String POD_REVIEW = WebhookFixture.POD_REVIEW;
  static WebhookFixture webhook;
  static URI uri;

  @BeforeAll
  static void start() throws Exception {
    webhook =
        new WebhookFixture(
            WebhookServer.Limits.defaults(),
            (namespace, pod, decision, podSets) -> {
              if (pod.equals("crash")) {
                throw new IllegalStateException("a bug in the webhook");
              }
            });
    uri = webhook.uri;
  }

  @AfterAll
  static void stop() {
    webhook.close();
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
    return webhook.http.send(
        HttpRequest.newBuilder(target)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static double count(String name) {
    return webhook.count(name);
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

  /** The API server's client asks for h2 by ALPN; clients that speak only HTTP/1.1 still work. */
  @ParameterizedTest
  @CsvSource({"HTTP_2", "HTTP_1_1"})
  void servesHttp2ByAlpnAndHttp11(HttpClient.Version version) throws Exception {
    HttpResponse<String> ok =
        webhook.http.send(
            HttpRequest.newBuilder(uri)
                .version(version)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(POD_REVIEW))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(version, ok.version(), "protocol negotiated");
    assertEquals(200, ok.statusCode(), ok.body());
    assertTrue(MAPPER.readTree(ok.body()).get("response").has("patch"), ok.body());
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
        webhook.http.send(
            HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, get.statusCode());
  }

  @Test
  void oversizedBodyIsRefused() throws Exception {
    try (WebhookFixture.Raw raw = webhook.raw()) {
      WebhookFixture.Answer refused =
          raw.head(WebhookServer.Limits.defaults().maxBodyBytes() + 1L).read();
      assertEquals(413, refused.status(), refused.head() + refused.body());
    }
    assertEquals(200, post(POD_REVIEW).statusCode());
  }

  /**
   * On HTTP/2 the refusal ends the stream, not the connection: the client is told to stop sending
   * (RST_STREAM NO_ERROR after the answer), and the connection goes on carrying reviews.
   */
  @Test
  void oversizedBodyOverHttp2IsRefusedOnItsStreamOnly() throws Exception {
    try (RawH2 h2 = webhook.rawH2()) {
      int big = h2.open(WebhookServer.Limits.defaults().maxBodyBytes() + 1L);
      RawH2.Stream refused = h2.await(big, 5);
      assertEquals(413, refused.status, refused.body());
      byte[] review = POD_REVIEW.getBytes(StandardCharsets.UTF_8);
      int next = h2.open(review.length);
      h2.data(next, review, true);
      RawH2.Stream ok = h2.await(next, 5);
      assertEquals(200, ok.status, ok.body());
      assertEquals(0L, refused.reset, "the refused stream is reset with NO_ERROR");
      assertFalse(h2.closed, "the connection stays open");
    }
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

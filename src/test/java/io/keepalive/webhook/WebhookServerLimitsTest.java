package io.keepalive.webhook;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.testing.FixedCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The real HTTPS server against clients that misbehave on purpose, over raw TLS sockets: slow
 * bodies, many of them, too many connections, malformed HTTP, bodies that are not UTF-8 JSON, and
 * large reviews beside small ones. Each gets a status with a short reason (never a silent close),
 * what the server holds stays within its limits, and an ordinary review is answered all the while.
 * The limits are scaled down (a 2 s deadline) so that each case takes seconds.
 */
class WebhookServerLimitsTest {
  static final Duration DEADLINE = Duration.ofSeconds(2);
  static final long SMALL_BYTES = 1024L * 1024;
  static final long LARGE_BYTES = 8L * 1024 * 1024;
  static final int STREAMS = 4;

  static WebhookServer.Limits limits(int maxConnections) {
    return new WebhookServer.Limits(
        3 * 1024 * 1024,
        128 * 1024,
        SMALL_BYTES,
        LARGE_BYTES,
        maxConnections,
        STREAMS,
        DEADLINE,
        Duration.ofSeconds(60),
        WebhookServer.INLINE_BODY_BYTES,
        2,
        1,
        8);
  }

  static WebhookFixture webhook(int maxConnections) throws Exception {
    return new WebhookFixture(limits(maxConnections), AdmissionOutcomes.NONE);
  }

  static void assertOrdinaryReviewAnswered(WebhookFixture webhook) throws Exception {
    long started = System.nanoTime();
    var ok = webhook.post(WebhookFixture.POD_REVIEW);
    assertEquals(200, ok.statusCode(), ok.body());
    assertTrue(ok.body().contains("\"patch\""), ok.body());
    long ms = (System.nanoTime() - started) / 1_000_000;
    assertTrue(ms < 5_000, "an ordinary review took " + ms + " ms, the API server waits 5 s");
  }

  @Test
  void aBodyTrickledByteByByteIsCutOffAtTheDeadline() throws Exception {
    try (var webhook = webhook(100);
        var slow = webhook.raw()) {
      slow.head(1000);
      long started = System.nanoTime();
      var trickle =
          Executors.newSingleThreadExecutor()
              .submit(
                  () -> {
                    for (int i = 0; i < 1000; i++) {
                      slow.send("{");
                      Thread.sleep(200);
                    }
                    return null;
                  });
      WebhookFixture.Answer answer = slow.read();
      long ms = (System.nanoTime() - started) / 1_000_000;
      trickle.cancel(true);
      assertEquals(408, answer.status(), answer.head() + answer.body());
      assertTrue(answer.body().contains("did not arrive within 2 s"), answer.body());
      assertTrue(ms < DEADLINE.toMillis() + 2_000, "answered after " + ms + " ms");
      assertTrue(slow.closedByServer(), "the connection is closed after the 408");
      assertEquals(0, webhook.server.bytesInFlight(), "what it sent is let go");
    }
  }

  /**
   * 100 clients announce 3 MiB and 100 announce 100 KiB; each sends part of it at once, then
   * nothing. Large ones past the memory for large bodies are refused before they are read; small
   * ones past the memory for small bodies make the oldest still arriving give way, so an ordinary
   * review always finds room; the rest are cut off at the deadline.
   */
  @Test
  void twoHundredSlowClientsHoldBoundedMemoryAndOrdinaryReviewsGoOn() throws Exception {
    try (var webhook = webhook(300)) {
      ExecutorService pool = Executors.newFixedThreadPool(50);
      List<WebhookFixture.Raw> slow = new ArrayList<>();
      try {
        List<Future<WebhookFixture.Raw>> opening = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          boolean large = i % 2 == 0;
          byte[] part =
              ("[" + " ".repeat((large ? 64 : 50) * 1024 - 1)).getBytes(StandardCharsets.UTF_8);
          opening.add(
              pool.submit(
                  () -> {
                    WebhookFixture.Raw raw = webhook.raw();
                    raw.head(large ? 3 * 1024 * 1024 : 100 * 1024);
                    try {
                      raw.send(part);
                    } catch (IOException e) {
                      // refused before its body was read: its answer is waiting
                    }
                    return raw;
                  }));
        }
        for (var opened : opening) {
          slow.add(opened.get(30, TimeUnit.SECONDS));
        }
        AtomicLong most = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler =
            new Thread(
                () -> {
                  while (sampling.get()) {
                    most.accumulateAndGet(webhook.server.bytesInFlight(), Math::max);
                    Thread.onSpinWait();
                  }
                });
        sampler.start();
        for (int i = 0; i < 5; i++) {
          assertOrdinaryReviewAnswered(webhook);
          Thread.sleep(200);
        }
        List<Future<WebhookFixture.Answer>> answers = new ArrayList<>();
        for (var raw : slow) {
          answers.add(pool.submit(raw::read));
        }
        int timedOut = 0, busy = 0;
        for (var answer : answers) {
          int status = answer.get(DEADLINE.toSeconds() + 20, TimeUnit.SECONDS).status();
          assertTrue(status == 408 || status == 503, "status " + status);
          timedOut += status == 408 ? 1 : 0;
          busy += status == 503 ? 1 : 0;
        }
        sampling.set(false);
        sampler.join();
        assertTrue(
            most.get() <= SMALL_BYTES + LARGE_BYTES,
            "held "
                + most.get()
                + " bytes for bodies, the limit is "
                + (SMALL_BYTES + LARGE_BYTES));
        assertTrue(timedOut > 0 && busy > 0, timedOut + " timed out, " + busy + " turned away");
        assertEquals(busy, webhook.rejected("bytes_in_flight"));
        assertEquals(0, webhook.server.bytesInFlight(), "everything let go");
        assertOrdinaryReviewAnswered(webhook);
      } finally {
        for (var raw : slow) {
          raw.close();
        }
        pool.shutdownNow();
      }
    }
  }

  /**
   * One HTTP/2 connection multiplexes requests, so it must not get around the bounds of many: it is
   * told how many streams it may open, a stream past them is refused, each stream has the deadline
   * of a request of its own, and what is refused is its stream, not the connection that carries the
   * API server's other reviews.
   */
  @Test
  void anHttp2ConnectionGetsNoMoreStreamsThanAllowedEachWithTheDeadlineOfARequest()
      throws Exception {
    try (var webhook = webhook(100);
        var h2 = webhook.rawH2()) {
      assertTrue(h2.settled.await(5, TimeUnit.SECONDS), "the server's settings");
      assertEquals(
          (long) STREAMS,
          h2.settings.get(RawH2.SETTINGS_MAX_CONCURRENT_STREAMS),
          "streams announced");
      long started = System.nanoTime();
      List<Integer> opened = new ArrayList<>();
      for (int i = 0; i < STREAMS + 3; i++) {
        opened.add(h2.open(1000));
      }
      for (int id : opened.subList(0, STREAMS)) {
        h2.data(id, "{".getBytes(StandardCharsets.UTF_8), false);
      }
      int refused = 0, timedOut = 0;
      for (int id : opened) {
        RawH2.Stream stream = h2.await(id, 10);
        if (stream.reset == RawH2.REFUSED_STREAM && stream.status == 0) {
          refused++;
        } else {
          assertEquals(408, stream.status, "stream " + id + ": " + stream.body());
          assertTrue(stream.body().contains("did not arrive within 2 s"), stream.body());
          timedOut++;
        }
      }
      long ms = (System.nanoTime() - started) / 1_000_000;
      assertEquals(3, refused, "streams past the limit are refused");
      assertEquals(STREAMS, timedOut, "the others are cut off at the deadline");
      assertTrue(ms < DEADLINE.toMillis() + 2_000, "answered after " + ms + " ms");
      assertEquals(0, webhook.server.bytesInFlight(), "what they sent is let go");

      int review = h2.open(WebhookFixture.POD_REVIEW.getBytes(StandardCharsets.UTF_8).length);
      h2.data(review, WebhookFixture.POD_REVIEW.getBytes(StandardCharsets.UTF_8), true);
      RawH2.Stream ok = h2.await(review, 5);
      assertEquals(200, ok.status, ok.body());
      assertTrue(ok.body().contains("\"patch\""), ok.body());
      assertTrue(!h2.closed, "the connection still carries reviews");
    }
  }

  /**
   * Streams of a few HTTP/2 connections announce 3 MiB each and send 16 KiB: their bodies share the
   * same memory as HTTP/1.1 requests, so all but what fits are refused before they are read, and an
   * ordinary review is answered meanwhile.
   */
  @Test
  void http2StreamsShareTheBodyBudget() throws Exception {
    try (var webhook = webhook(100)) {
      List<RawH2> connections = new ArrayList<>();
      try {
        List<RawH2.Stream> streams = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        byte[] part = ("[" + " ".repeat(16 * 1024 - 1)).getBytes(StandardCharsets.UTF_8);
        for (int c = 0; c < 3; c++) {
          RawH2 h2 = webhook.rawH2();
          connections.add(h2);
          assertTrue(h2.settled.await(5, TimeUnit.SECONDS), "the server's settings");
          for (int i = 0; i < STREAMS; i++) {
            int id = h2.open(3 * 1024 * 1024);
            h2.data(id, part, false);
            ids.add(id);
            streams.add(h2.stream(id));
          }
        }
        long most = webhook.server.bytesInFlight();
        assertOrdinaryReviewAnswered(webhook);
        most = Math.max(most, webhook.server.bytesInFlight());
        assertTrue(most <= SMALL_BYTES + LARGE_BYTES, most + " bytes held");
        int busy = 0, timedOut = 0;
        for (int i = 0; i < streams.size(); i++) {
          RawH2.Stream stream = connections.get(i / STREAMS).await(ids.get(i), 10);
          if (stream.status == 503) {
            assertTrue(stream.body().contains("too many request bytes in flight"), stream.body());
            busy++;
          } else {
            assertEquals(408, stream.status, stream.body());
            timedOut++;
          }
        }
        // 8 MiB for large bodies: two of 3 MiB fit
        assertEquals(2, timedOut, "streams whose bodies fit wait for them until the deadline");
        assertEquals(streams.size() - 2, busy);
        assertEquals(0, webhook.server.bytesInFlight(), "what they sent is let go");
      } finally {
        for (RawH2 h2 : connections) {
          h2.close();
        }
      }
    }
  }

  @Test
  void pastTheConnectionLimitTheOldestIdleConnectionMakesRoom() throws Exception {
    try (var webhook = webhook(5)) {
      List<WebhookFixture.Raw> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 30; i++) {
          idle.add(webhook.raw());
        }
        assertTrue(
            webhook.server.connections() <= 5, webhook.server.connections() + " connections open");
        assertTrue(idle.get(0).closedByServer(), "the oldest idle connection was closed");
        // the API server's connection is the newest: it gets a place and an answer
        assertOrdinaryReviewAnswered(webhook);
        await().atMost(Duration.ofSeconds(10)).until(() -> webhook.rejected("connections") >= 25);
      } finally {
        for (var raw : idle) {
          raw.close();
        }
      }
    }
  }

  @Test
  void malformedHttpGetsAStatusAndAReasonNeverASilentClose() throws Exception {
    try (var webhook = webhook(100)) {
      String review = WebhookFixture.POD_REVIEW;
      record Case(String name, String request, int status, String reason) {}
      List<Case> cases =
          List.of(
              new Case(
                  "headers above 8 KiB",
                  "POST /mutate-pods HTTP/1.1\r\nHost: x\r\nX-Pad: "
                      + "p".repeat(10_000)
                      + "\r\nContent-Length: 2\r\n\r\n{}",
                  431,
                  "headers larger than 8 KiB"),
              new Case(
                  "request line above 4 KiB",
                  "POST /mutate-pods?" + "q".repeat(5_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                  414,
                  "request line longer"),
              new Case(
                  "Content-Length not a number",
                  "POST /mutate-pods HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: twelve\r\n\r\n{}",
                  400,
                  "malformed HTTP request"),
              new Case(
                  "chunk size not hexadecimal",
                  "POST /mutate-pods HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                  400,
                  "malformed HTTP request"),
              new Case(
                  "Content-Length above the limit",
                  "POST /mutate-pods HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 999999999\r\n\r\n{",
                  413,
                  "larger than 3145728 bytes"),
              new Case(
                  "not JSON",
                  "POST /mutate-pods HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                      + "Content-Length: "
                      + review.length()
                      + "\r\n\r\n"
                      + review,
                  415,
                  "application/json, not text/plain"),
              new Case(
                  "JSON with data after it",
                  "POST /mutate-pods HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: "
                      + (review.length() + 3)
                      + "\r\n\r\n"
                      + review
                      + " {}",
                  400,
                  "body is not JSON"));
      for (Case c : cases) {
        try (var raw = webhook.raw()) {
          WebhookFixture.Answer answer = raw.send(c.request()).read();
          assertEquals(c.status(), answer.status(), c.name() + ": " + answer.head());
          assertTrue(answer.body().contains(c.reason()), c.name() + ": " + answer.body());
        }
      }
      assertOrdinaryReviewAnswered(webhook);
    }
  }

  @Test
  void aBodyInAnotherEncodingOrWithDuplicateNamesIsRefused() throws Exception {
    try (var webhook = webhook(100)) {
      String review = WebhookFixture.POD_REVIEW;
      byte[] utf16 = review.getBytes(StandardCharsets.UTF_16LE);
      byte[] invalid = review.replace("web-1", "web-\u00e9").getBytes(StandardCharsets.ISO_8859_1);
      byte[] duplicate =
          review
              .replace("\"uid\":\"u-1\",", "\"uid\":\"u-1\",\"uid\":\"u-2\",")
              .getBytes(StandardCharsets.UTF_8);
      for (byte[] body : List.of(utf16, invalid, duplicate)) {
        try (var raw = webhook.raw()) {
          raw.head(body.length).send(body);
          WebhookFixture.Answer answer = raw.read();
          assertEquals(400, answer.status(), answer.body());
          assertTrue(
              answer.body().contains("not valid UTF-8")
                  || answer.body().contains("Illegal character ((CTRL-CHAR, code 0))")
                  || answer.body().contains("Duplicate field 'uid'"),
              answer.body());
        }
      }
    }
  }

  @Test
  void largeReviewsWaitForEachOtherNotForOrdinaryOnes() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AdmissionOutcomes blockLarge =
        (namespace, pod, decision, podSets) -> {
          if (pod.startsWith("large")) {
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    try (var webhook = new WebhookFixture(limits(100), blockLarge)) {
      String pad = "x".repeat(200 * 1024);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Integer>> large = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          String body =
              WebhookFixture.POD_REVIEW
                  .replace("\"web-1\"", "\"large-" + i + "\"")
                  .replace("\"labels\"", "\"annotations\":{\"pad\":\"" + pad + "\"},\"labels\"");
          large.add(pool.submit(() -> webhook.post(body).statusCode()));
        }
        Thread.sleep(500); // all four received: one reviewing, three queued
        assertOrdinaryReviewAnswered(webhook);
        release.countDown();
        for (var answer : large) {
          assertEquals(200, answer.get(30, TimeUnit.SECONDS));
        }
      } finally {
        release.countDown();
        pool.shutdownNow();
      }
    }
  }

  /**
   * A pod's review is answered on the event loop that received it: handing it to a thread and back
   * cost two thread wake-ups per pod, most of what the webhook added on a busy node
   * (bench/results/kyverno.md). One above {@link WebhookServer#INLINE_BODY_BYTES} goes to a lane,
   * so that a costly review never holds the event loop.
   */
  @Test
  void anOrdinaryReviewIsAnsweredWhereItArrivedALargerOneOnALane() throws Exception {
    Map<String, String> threads = new java.util.concurrent.ConcurrentHashMap<>();
    AdmissionOutcomes where =
        (namespace, pod, decision, podSets) -> threads.put(pod, Thread.currentThread().getName());
    try (var webhook = new WebhookFixture(limits(100), where)) {
      assertOrdinaryReviewAnswered(webhook);
      String pad = "x".repeat(WebhookServer.INLINE_BODY_BYTES);
      String larger =
          WebhookFixture.POD_REVIEW
              .replace("\"web-1\"", "\"larger\"")
              .replace("\"labels\"", "\"annotations\":{\"pad\":\"" + pad + "\"},\"labels\"");
      assertEquals(200, webhook.post(larger).statusCode());
    }
    assertTrue(threads.get("web-1").startsWith("vert.x-eventloop-thread-"), threads.toString());
    assertTrue(threads.get("larger").startsWith("keepalive-webhook-"), threads.toString());
  }

  /**
   * A namespace not in the informer yet (created a moment ago) makes the review ask the API server:
   * never on the event loop, whose connections (the API server's answer among them) would wait with
   * it. The review moves to a lane, and is answered from there.
   */
  @Test
  void aReviewThatMustAskTheApiServerMovesOffTheEventLoop() throws Exception {
    Map<String, String> threads = new java.util.concurrent.ConcurrentHashMap<>();
    FixedCluster shop = WebhookFixture.shop();
    ClusterView justCreated =
        new ClusterView() {
          @Override
          public List<KeepalivePolicy> policies(String namespace) {
            return shop.policies(namespace);
          }

          @Override
          public Optional<Map<String, String>> namespaceLabels(String namespace) {
            threads.put("asked", Thread.currentThread().getName());
            return shop.namespaceLabels(namespace);
          }

          @Override
          public boolean knowsNamespace(String namespace) {
            return false;
          }

          @Override
          public ClusterFacts facts() {
            return shop.facts();
          }
        };
    AdmissionOutcomes where =
        (namespace, pod, decision, podSets) -> threads.put(pod, Thread.currentThread().getName());
    try (var webhook =
        new WebhookFixture(limits(100), where, justCreated, Optional.empty(), null)) {
      assertOrdinaryReviewAnswered(webhook);
    }
    assertTrue(threads.get("asked").startsWith("keepalive-webhook-"), threads.toString());
    assertTrue(threads.get("web-1").startsWith("keepalive-webhook-"), threads.toString());
  }
}

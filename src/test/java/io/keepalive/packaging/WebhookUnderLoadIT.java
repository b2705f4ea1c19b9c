package io.keepalive.packaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.policy.PodMarks;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import io.keepalive.testing.Ports;
import io.keepalive.testing.TestNamespaces;
import io.keepalive.testing.TrustingAnyone;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged operator with the JVM flags the chart gives it (values.yaml jvmOptions: its own
 * heap, the serial collector), its webhook under attack for 40 s: 200 clients, arriving within 5 s,
 * that announce 3 MiB, send 1 MiB and trickle the rest (200 MiB all together, more than the heap),
 * each back 10 s after it is cut off; and reviews of pods with 10,000 init containers, two a
 * second. All the while an ordinary review gets a correct answer within the API server's 5 s, and
 * pods created through the API server get injected. The operator is alive at the end, and never ran
 * out of memory.
 */
class WebhookUnderLoadIT {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final Duration LOAD = Duration.ofSeconds(40);
  static final int SLOW_CLIENTS = 200;
  static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(5);
  static KubernetesClient client;

  @BeforeAll
  static void connect() throws IOException {
    client = ControlPlane.client();
    Packaging.ensureCrd(client);
  }

  @AfterAll
  static void close() {
    client.close();
  }

  static String review(String uid, String namespace, ObjectNode pod) throws IOException {
    ObjectNode review = MAPPER.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", uid).put("operation", "CREATE").put("namespace", namespace);
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    request.set("object", pod);
    return MAPPER.writeValueAsString(review);
  }

  /** A pod with one container and this many init containers: the list the webhook writes into. */
  static ObjectNode pod(int initContainers) {
    ObjectNode pod = MAPPER.createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", "p").putObject("labels").put("app", "web");
    ObjectNode spec = pod.putObject("spec");
    spec.putArray("containers").addObject().put("name", "app").put("image", "app:1");
    ArrayNode list = spec.putArray("initContainers");
    for (int i = 0; i < initContainers; i++) {
      list.addObject().put("name", "c-" + i).put("image", "registry.example/app:1");
    }
    return pod;
  }

  @Test
  void slowClientsAndHugePodsNeitherStopTheOperatorNorDelayAnOrdinaryReview() throws Exception {
    String ns = "keepalive-load-it";
    TestNamespaces.ensure(client, ns);
    String shop = TestNamespaces.create(client, "shop");
    client.resource(Policies.policy(shop, "keepalive", Map.of("app", "web"), 300, 30, 5)).create();
    try (OperatorProcess operator =
        OperatorProcess.operator(ns, ns, Ports.free(), Packaging.chartJvmOptions(), Map.of())) {
      AtomicInteger created = new AtomicInteger();
      // the webhook is registered and its cache holds the policy once a pod comes out injected
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  injected(
                      client
                          .resource(
                              Pods.restricted(
                                  shop, "web-" + created.incrementAndGet(), Map.of("app", "web")))
                          .create()));

      HttpClient webhook = OperatorProcess.webhookClient(WEBHOOK_TIMEOUT);
      SSLContext ssl = TrustingAnyone.context();
      AtomicBoolean running = new AtomicBoolean(true);
      Queue<String> failures = new ConcurrentLinkedQueue<>();
      AtomicInteger ordinary = new AtomicInteger();
      AtomicLong slowest = new AtomicLong();
      AtomicInteger huge = new AtomicInteger();
      AtomicInteger cutOff = new AtomicInteger();
      ExecutorService pool = Executors.newCachedThreadPool();
      String ordinaryReview = review("ordinary", shop, pod(1));
      String hugeReview = review("huge", shop, pod(10_000));
      // each sends 1 MiB at once, then a byte every 2 s: 200 MiB all together, half the heap
      byte[] part = ("{" + " ".repeat(1024 * 1024 - 1)).getBytes(StandardCharsets.UTF_8);
      try {
        // 200 slow clients, each replaced when the webhook cuts it off
        for (int i = 0; i < SLOW_CLIENTS; i++) {
          long arrival = i * 25L; // all 200 within 5 s, as connections come in
          pool.submit(
              () -> {
                Thread.sleep(arrival);
                while (running.get()) {
                  try (SSLSocket socket =
                      (SSLSocket)
                          ssl.getSocketFactory().createSocket("127.0.0.1", operator.webhook)) {
                    socket.setSoTimeout(30_000);
                    OutputStream out = socket.getOutputStream();
                    out.write(
                        ("POST /mutate-pods HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                + "Content-Length: 3000000\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(part);
                    out.flush();
                    while (running.get()) {
                      Thread.sleep(2_000);
                      out.write(' ');
                      out.flush();
                    }
                  } catch (IOException e) {
                    cutOff.incrementAndGet();
                  } catch (InterruptedException e) {
                    return null;
                  }
                  Thread.sleep(10_000); // and comes back
                }
                return null;
              });
        }
        // reviews of pods with 10,000 init containers, two a second (each costs the webhook some
        // 30 ms of CPU: back to back they would take a core of the two this machine shares)
        pool.submit(
            () -> {
              while (running.get()) {
                try {
                  var answer = operator.review(webhook, hugeReview, Duration.ofSeconds(30));
                  if (answer.statusCode() == 200 && answer.body().contains("\"patch\"")) {
                    huge.incrementAndGet();
                  }
                } catch (IOException e) {
                  // a 503 or a cut connection is the webhook protecting itself: fine here
                }
                Thread.sleep(500);
              }
              return null;
            });
        // pods created through the API server meanwhile get injected
        pool.submit(
            () -> {
              while (running.get()) {
                String name = "web-" + created.incrementAndGet();
                Pod stored =
                    client.resource(Pods.restricted(shop, name, Map.of("app", "web"))).create();
                if (!injected(stored)) {
                  failures.add(name + " was created without injection");
                }
                Thread.sleep(2_000);
              }
              return null;
            });

        long end = System.nanoTime() + LOAD.toNanos();
        while (System.nanoTime() < end) {
          long started = System.nanoTime();
          try {
            var answer = operator.review(webhook, ordinaryReview, WEBHOOK_TIMEOUT);
            long ms = (System.nanoTime() - started) / 1_000_000;
            slowest.accumulateAndGet(ms, Math::max);
            if (answer.statusCode() != 200 || !answer.body().contains("\"patch\"")) {
              failures.add(
                  "ordinary review answered " + answer.statusCode() + ": " + answer.body());
            } else if (ms > WEBHOOK_TIMEOUT.toMillis()) {
              failures.add("ordinary review took " + ms + " ms");
            }
            ordinary.incrementAndGet();
          } catch (IOException e) {
            failures.add("ordinary review failed: " + e);
          }
          assertTrue(operator.process.isAlive(), "the operator died:\n" + operator.tail());
          Thread.sleep(250);
        }
      } finally {
        running.set(false);
        pool.shutdownNow();
        pool.awaitTermination(30, TimeUnit.SECONDS);
      }
      System.out.printf(
          "under load for %d s: %d ordinary reviews (the slowest %d ms), %d reviews of 10,000 init"
              + " containers, %d slow clients cut off, %d pods created through the API server%n",
          LOAD.toSeconds(), ordinary.get(), slowest.get(), huge.get(), cutOff.get(), created.get());
      assertTrue(operator.process.isAlive(), "the operator died:\n" + operator.tail());
      assertFalse(operator.logSays("OutOfMemoryError"), operator.tail());
      assertEquals(List.of(), new ArrayList<>(failures));
      assertTrue(ordinary.get() > 50, ordinary.get() + " ordinary reviews");
      assertTrue(huge.get() > 0, "no review of a pod with 10,000 init containers was answered");
      assertTrue(cutOff.get() >= SLOW_CLIENTS, cutOff.get() + " slow clients cut off");
    } finally {
      client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(ns).delete();
    }
  }

  static boolean injected(Pod pod) {
    return pod.getMetadata().getAnnotations() != null
        && "keepalive".equals(pod.getMetadata().getAnnotations().get(PodMarks.POLICY_ANNOTATION));
  }
}

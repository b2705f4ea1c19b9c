package io.keepalive.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.operator.OperatorSettings;
import io.keepalive.policy.PodMarks;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.ControlPlaneResource;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestNamespaces;
import io.keepalive.webhook.Webhook;
import io.keepalive.webhook.WebhookCertificates;
import io.keepalive.webhook.WebhookTls;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Not part of the test run (surefire excludes io/keepalive/bench); run with bench/webhook.sh. Measures the
 * operator's real webhook server (the one the application started, its own certificate) and pod creation
 * through the real kube-apiserver with and without the webhook being called, and writes
 * bench/results/webhook.md. It asserts correctness only (every review answered with a patch), never timings.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
class WebhookBenchmark {
    static final int CLIENTS = Integer.getInteger("bench.clients", 8);
    static final int WARMUP = Integer.getInteger("bench.warmup", 5_000);
    static final int REVIEWS = Integer.getInteger("bench.reviews", 20_000);
    static final int CREATES = Integer.getInteger("bench.creates", 200);
    static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    Webhook webhook;
    @Inject
    OperatorSettings settings;

    @Test
    void run() throws Exception {
        webhook.awaitReady(Duration.ofSeconds(90));
        try (KubernetesClient client = ControlPlane.client()) {
            Map<String, String> web = Map.of("app", "web");
            String injectedNs = TestNamespaces.create(client, "bench");
            String plainNs = TestNamespaces.create(client, "bench-off", Map.of(PodMarks.INJECT_LABEL, "false"));
            client.resource(Policies.policy(injectedNs, "keepalive", web, 300, 30, 5)).create();
            await().atMost(Duration.ofSeconds(30)).until(() -> !webhook.caches().policies(injectedNs).isEmpty());

            Latencies reviews = reviews(client, injectedNs);
            Latencies[] creates = creates(client, injectedNs, plainNs);
            write(reviews, creates[0], creates[1]);
        }
    }

    /** CLIENTS threads, each with its own keep-alive HTTPS connection, posting pod CREATE reviews. */
    Latencies reviews(KubernetesClient client, String namespace) throws Exception {
        var secret = client.secrets().inNamespace(settings.namespace()).withName(settings.webhook().secretName()).get();
        String ca = new String(Base64.getDecoder().decode(secret.getData().get(WebhookTls.CA_CERT)), StandardCharsets.UTF_8);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", WebhookCertificates.certificate(ca));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        URI uri = URI.create(settings.webhook().url().orElseThrow());

        ObjectNode review = MAPPER.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", "bench").put("operation", "CREATE").put("namespace", namespace);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.set("object", MAPPER.valueToTree(Policies.pod(namespace, "web-1", Map.of("app", "web"))));
        byte[] body = MAPPER.writeValueAsBytes(review);

        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<HttpClient> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl)
                        .executor(Executors.newSingleThreadExecutor()).build());
            }
            runReviews(pool, clients, uri, body, WARMUP / CLIENTS);
            long start = System.nanoTime();
            long[] all = runReviews(pool, clients, uri, body, REVIEWS / CLIENTS);
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Latencies(all, all.length / seconds);
        } finally {
            pool.shutdownNow();
        }
    }

    static long[] runReviews(ExecutorService pool, List<HttpClient> clients, URI uri, byte[] body, int perClient)
            throws Exception {
        List<Future<long[]>> futures = new ArrayList<>();
        for (HttpClient http : clients) {
            Callable<long[]> task = () -> {
                long[] took = new long[perClient];
                HttpRequest post = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                for (int i = 0; i < perClient; i++) {
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> response = http.send(post, HttpResponse.BodyHandlers.ofByteArray());
                    took[i] = System.nanoTime() - t0;
                    if (response.statusCode() != 200 || !new String(response.body(), StandardCharsets.UTF_8).contains("\"patch\"")) {
                        throw new IllegalStateException("review not patched: " + response.statusCode());
                    }
                }
                return took;
            };
            futures.add(pool.submit(task));
        }
        List<long[]> parts = new ArrayList<>();
        for (Future<long[]> f : futures) {
            parts.add(f.get());
        }
        return parts.stream().flatMapToLong(Arrays::stream).toArray();
    }

    /** Alternates creates in a namespace the webhook injects and one it is never called for. */
    Latencies[] creates(KubernetesClient client, String injectedNs, String plainNs) {
        Map<String, String> web = Map.of("app", "web");
        for (int i = 0; i < 20; i++) { // warm-up: API server caches, webhook client connection
            client.resource(Policies.pod(injectedNs, "warm-" + i, web)).create();
            client.resource(Policies.pod(plainNs, "warm-" + i, web)).create();
        }
        long[] with = new long[CREATES];
        long[] without = new long[CREATES];
        long startWith = 0, startWithout = 0;
        for (int i = 0; i < CREATES; i++) {
            long t0 = System.nanoTime();
            Pod a = client.resource(Policies.pod(injectedNs, "pod-" + i, web)).create();
            with[i] = System.nanoTime() - t0;
            startWith += with[i];
            long t1 = System.nanoTime();
            Pod b = client.resource(Policies.pod(plainNs, "pod-" + i, web)).create();
            without[i] = System.nanoTime() - t1;
            startWithout += without[i];
            assertEquals("keepalive", a.getMetadata().getAnnotations().get(PodMarks.POLICY_ANNOTATION));
            assertTrue(b.getMetadata().getAnnotations() == null || b.getMetadata().getAnnotations().isEmpty());
        }
        return new Latencies[]{new Latencies(with, CREATES / (startWith / 1e9)),
                new Latencies(without, CREATES / (startWithout / 1e9))};
    }

    record Latencies(long[] nanos, double perSecond) {
        Latencies {
            nanos = nanos.clone();
            Arrays.sort(nanos);
        }

        double ms(double quantile) {
            int i = (int) Math.min(nanos.length - 1, Math.ceil(quantile * nanos.length) - 1);
            return nanos[Math.max(0, i)] / 1e6;
        }
    }

    void write(Latencies reviews, Latencies with, Latencies without) throws Exception {
        long memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .map(l -> Long.parseLong(l.replaceAll("\\D+", ""))).findFirst().orElse(0L);
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
        double ratioMedian = with.ms(0.5) / without.ms(0.5);
        double ratioP99 = with.ms(0.99) / without.ms(0.99);
        String md = """
                # Webhook benchmark

                Run by `bench/webhook.sh` (class `io.keepalive.bench.WebhookBenchmark`, not part of `./mvnw verify`).

                - date: %s
                - machine: %d CPUs (%s), %.1f GiB memory, %s %s
                - Kubernetes: real kube-apiserver %s + etcd (kube-api-test), same machine; the operator (Quarkus app,
                  reconciler running) in the same JVM as the load generator

                ## 1. Webhook processing, HTTPS keep-alive

                %d concurrent clients (JDK HttpClient, HTTP/1.1, one keep-alive TLS connection each) post pod CREATE
                AdmissionReviews to the operator's real webhook server (its own certificate); every answer is checked
                to carry a patch. %d reviews after %d warm-up reviews. Client-side round trip (includes TLS and the
                loopback network, so it is an upper bound on the webhook's own time).

                | metric | value | goal |
                |---|---|---|
                | p50 | %.3f ms | |
                | p90 | %.3f ms | |
                | p99 | %.3f ms | < 2 ms: %s |
                | p99.9 | %.3f ms | |
                | max | %.3f ms | |
                | throughput | %.0f reviews/s | |

                ## 2. Pod creation through the API server

                %d creates each, alternating: a namespace with a policy (the API server calls the webhook, the pod is
                stored with the injection) and a namespace labelled keepalive.io/inject=false (the webhook's
                namespaceSelector excludes it, so the API server does not call it). Sequential, one client. Warm-up: 20 each.

                | | median | p99 | creates/s |
                |---|---|---|---|
                | with webhook | %.2f ms | %.2f ms | %.0f |
                | without | %.2f ms | %.2f ms | %.0f |
                | ratio | %.2fx | %.2fx | |

                Goal: median ratio at most 1.3x: %s.
                """.formatted(Instant.now(), Runtime.getRuntime().availableProcessors(), cpu, memKb / 1024.0 / 1024.0,
                System.getProperty("java.vm.name"), System.getProperty("java.version"), ControlPlane.kubernetesVersion(),
                CLIENTS, reviews.nanos().length, WARMUP,
                reviews.ms(0.5), reviews.ms(0.9), reviews.ms(0.99), reviews.ms(0.99) < 2 ? "met" : "MISSED",
                reviews.ms(0.999), reviews.ms(1.0), reviews.perSecond(),
                CREATES, with.ms(0.5), with.ms(0.99), with.perSecond(), without.ms(0.5), without.ms(0.99), without.perSecond(),
                ratioMedian, ratioP99, ratioMedian <= 1.3 ? "met" : "MISSED");
        Path out = Path.of("bench/results/webhook.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md);
        System.out.println(md);
        System.out.println("JVM uptime " + ManagementFactory.getRuntimeMXBean().getUptime() + " ms");
    }
}

package io.keepalive.packaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Ports;
import io.keepalive.testing.TestNamespaces;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar, as the image runs it (`operator` mode, prod profile, configured through
 * KEEPALIVE_* environment variables): it becomes ready, takes the leader Lease in its namespace,
 * and stops promptly on SIGTERM, as a pod must when Kubernetes replaces it.
 */
class OperatorProcessIT {
  static final String NAMESPACE = "keepalive-process-it";
  static KubernetesClient client;
  static Process operator;
  static Path log;

  @BeforeAll
  static void start() throws Exception {
    client = ControlPlane.client();
    TestNamespaces.ensure(client, NAMESPACE);
    Packaging.ensureCrd(client);
  }

  @AfterAll
  static void stop() {
    if (operator != null && operator.isAlive()) {
      operator.destroyForcibly();
    }
    client.close();
  }

  @Test
  void readyThenLeaderThenStopsPromptlyOnSigterm() throws Exception {
    Path jar = Packaging.projectDir().resolve("target/quarkus-app/quarkus-run.jar");
    assertTrue(
        Files.exists(jar), jar + " is built by `./mvnw package` before the integration tests");
    int http = Ports.free(), webhook = Ports.free();
    log = Files.createTempFile("operator", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar",
                    jar.toString(),
                    "operator"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    var env = builder.environment();
    env.put("KUBECONFIG", ControlPlane.kubeconfigFile().toString());
    env.put("KEEPALIVE_NAMESPACE", NAMESPACE);
    env.put("KEEPALIVE_WEBHOOK_PORT", Integer.toString(webhook));
    env.put("KEEPALIVE_WEBHOOK_URL", "https://127.0.0.1:" + webhook + "/mutate-pods");
    env.put("KEEPALIVE_WEBHOOK_CONFIGURATION_NAME", "keepalive-process-it");
    env.put("QUARKUS_HTTP_PORT", Integer.toString(http));
    operator = builder.start();

    HttpClient httpClient = HttpClient.newHttpClient();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertEquals(
                    200,
                    httpClient
                        .send(
                            HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + http + "/q/health/ready"))
                                .build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode(),
                    () -> tail()));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              var lease =
                  client.leases().inNamespace(NAMESPACE).withName("keepalive-operator-lease").get();
              assertTrue(
                  lease != null && lease.getSpec().getHolderIdentity() != null,
                  "no leader Lease yet");
            });

    long started = System.nanoTime();
    operator.destroy(); // SIGTERM
    boolean exited = operator.waitFor(15, TimeUnit.SECONDS);
    assertTrue(exited, "the operator did not stop within 15 s of SIGTERM:\n" + tail());
    System.out.printf(
        "operator stopped %d ms after SIGTERM%n", (System.nanoTime() - started) / 1_000_000);
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("keepalive-process-it")
        .delete();
  }

  static String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }
}

package io.keepalive.packaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Ports;
import io.keepalive.testing.TrustingAnyone;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The packaged jar in one of its modes, as the image runs it (prod profile, configured through
 * environment variables), with its output in a file for the failure message.
 */
final class OperatorProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  final Process process;
  final Path log;

  /** The webhook's port (operator mode), else 0. */
  final int webhook;

  private OperatorProcess(Process process, Path log, int webhook) {
    this.process = process;
    this.log = log;
    this.webhook = webhook;
  }

  static Path jar() {
    Path jar = Packaging.projectDir().resolve("target/quarkus-app/quarkus-run.jar");
    assertTrue(
        Files.exists(jar), jar + " is built by `./mvnw package` before the integration tests");
    return jar;
  }

  static OperatorProcess start(String mode, Map<String, String> env) throws IOException {
    return start(List.of(mode), env);
  }

  /** The jar with these arguments: the mode, then its own. */
  static OperatorProcess start(List<String> args, Map<String, String> env) throws IOException {
    return start(List.of(), args, env, 0);
  }

  /**
   * @param jvm JVM flags before -jar (the chart's heap, say)
   */
  private static OperatorProcess start(
      List<String> jvm, List<String> args, Map<String, String> env, int webhook)
      throws IOException {
    Path log = Files.createTempFile(args.get(0), ".log");
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvm);
    command.addAll(List.of("-jar", jar().toString()));
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return new OperatorProcess(builder.start(), log, webhook);
  }

  /**
   * The operator against the test control plane, its webhook called by URL on loopback; returns
   * with it ready.
   */
  static OperatorProcess operator(String namespace, String webhookConfiguration, int httpPort)
      throws IOException {
    return operator(namespace, webhookConfiguration, httpPort, List.of(), Map.of());
  }

  /**
   * @param jvm JVM flags before -jar (the chart's heap, say)
   * @param env more settings
   */
  static OperatorProcess operator(
      String namespace,
      String webhookConfiguration,
      int httpPort,
      List<String> jvm,
      Map<String, String> env)
      throws IOException {
    int webhook = Ports.free();
    Map<String, String> settings = new HashMap<>(env);
    settings.put("KUBECONFIG", ControlPlane.kubeconfigFile().toString());
    settings.put("KEEPALIVE_NAMESPACE", namespace);
    settings.put("KEEPALIVE_WEBHOOK_PORT", Integer.toString(webhook));
    settings.put("KEEPALIVE_WEBHOOK_URL", "https://127.0.0.1:" + webhook + "/mutate-pods");
    settings.put("KEEPALIVE_WEBHOOK_CONFIGURATION_NAME", webhookConfiguration);
    settings.put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
    OperatorProcess operator = start(jvm, List.of("operator"), settings, webhook);
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertEquals(
                    200,
                    get("http://127.0.0.1:" + httpPort + "/q/health/ready").statusCode(),
                    operator::tail));
    return operator;
  }

  static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            // Prometheus' text format, which promlint reads (without it Quarkus answers in
            // OpenMetrics)
            .header("Accept", "text/plain; version=0.0.4")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A client for the webhook's port that trusts any certificate: these tests are about whether the
   * webhook answers, its TLS is tested elsewhere.
   */
  static HttpClient webhookClient(Duration timeout) {
    return HttpClient.newBuilder()
        .sslContext(TrustingAnyone.context())
        .connectTimeout(timeout)
        .build();
  }

  /** Posts one review to the webhook; the answer's status and body. */
  HttpResponse<String> review(HttpClient client, String body, Duration timeout)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + webhook + "/mutate-pods"))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  boolean logSays(String text) {
    try {
      return Files.readString(log).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  /** Waits for the process to end; its whole output. */
  String output() throws IOException, InterruptedException {
    assertTrue(
        process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "still running: " + tail());
    return Files.readString(log);
  }

  String tail() {
    try {
      List<String> lines = new ArrayList<>(Files.readAllLines(log));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}

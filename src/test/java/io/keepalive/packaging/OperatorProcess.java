package io.keepalive.packaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

  private OperatorProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
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
    Path log = Files.createTempFile(args.get(0), ".log");
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar().toString()));
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return new OperatorProcess(builder.start(), log);
  }

  /**
   * The operator against the test control plane, its webhook called by URL on loopback; returns
   * with it ready.
   */
  static OperatorProcess operator(String namespace, String webhookConfiguration, int httpPort)
      throws IOException {
    int webhook = Ports.free();
    OperatorProcess operator =
        start(
            "operator",
            Map.of(
                "KUBECONFIG",
                ControlPlane.kubeconfigFile().toString(),
                "KEEPALIVE_NAMESPACE",
                namespace,
                "KEEPALIVE_WEBHOOK_PORT",
                Integer.toString(webhook),
                "KEEPALIVE_WEBHOOK_URL",
                "https://127.0.0.1:" + webhook + "/mutate-pods",
                "KEEPALIVE_WEBHOOK_CONFIGURATION_NAME",
                webhookConfiguration,
                "QUARKUS_HTTP_PORT",
                Integer.toString(httpPort)));
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

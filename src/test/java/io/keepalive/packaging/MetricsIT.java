package io.keepalive.packaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import io.keepalive.testing.Ports;
import io.keepalive.testing.Processes;
import io.keepalive.testing.Processes.Result;
import io.keepalive.testing.TestNamespaces;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real scrapes: the packaged operator (with a policy, a pod its webhook injected and the status it
 * wrote) and an agent (probing a real HTTP target) serve /metrics; Prometheus' promlint finds
 * nothing wrong with either, no series is NaN, and every metric the chart's alerts and dashboard
 * query is among what they really export.
 */
class MetricsIT {
  static final String CONFIGURATION = "keepalive-metrics-it";
  static KubernetesClient client;
  static OperatorProcess operator;
  static OperatorProcess agent;
  static HttpServer target;
  static String namespace;
  static String operatorScrape;
  static String agentScrape;

  @BeforeAll
  static void scrape() throws Exception {
    client = ControlPlane.client();
    Packaging.ensureCrd(client);
    String operatorNamespace = TestNamespaces.create(client, "ka-metrics-op");
    namespace = TestNamespaces.create(client, "ka-metrics");
    int http = Ports.free();
    operator = OperatorProcess.operator(operatorNamespace, CONFIGURATION, http);

    KeepalivePolicy policy = Policies.policy(namespace, "egress", Policies.WEB, 120, 15, 4);
    client.resource(policy).create();
    // the operator registers its webhook once it serves; a pod created then is injected
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                client
                        .admissionRegistration()
                        .v1()
                        .mutatingWebhookConfigurations()
                        .withName(CONFIGURATION)
                        .get()
                    != null);
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(3))
        .untilAsserted(
            () -> {
              client
                  .resource(Pods.restricted(namespace, "web-" + System.nanoTime(), Policies.WEB))
                  .create();
              String scrape = body("http://127.0.0.1:" + http + "/q/metrics");
              assertTrue(
                  value(scrape, "keepalive_policy_injected_pods", namespace) > 0,
                  () ->
                      operator.tail()
                          + "\n"
                          + scrape.lines().filter(l -> l.startsWith("keepalive_policy")).toList());
            });
    operatorScrape = body("http://127.0.0.1:" + http + "/q/metrics");

    // a target that advertises its idle timeout, so that every target series is known at once
    target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    target.createContext(
        "/",
        exchange -> {
          byte[] body = "ok\n".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Keep-Alive", "timeout=20");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    target.start();
    int agentPort = Ports.free();
    agent =
        OperatorProcess.start(
            "agent",
            Map.of(
                "KEEPALIVE_AGENT_PORT",
                Integer.toString(agentPort),
                "KEEPALIVE_PROBE_INTERVAL_SECONDS",
                "1",
                "KEEPALIVE_CANARY_IDLE_SECONDS",
                "1",
                "KEEPALIVE_HTTP_TARGETS",
                "[{\"url\":\"http://127.0.0.1:"
                    + target.getAddress().getPort()
                    + "/healthz?probe=1\",\"clientIdleTimeoutSeconds\":5}]"));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertTrue(
                    body("http://127.0.0.1:" + agentPort + "/metrics")
                        .contains("keepalive_target_server_idle_timeout_seconds{"),
                    agent.tail()));
    agentScrape = body("http://127.0.0.1:" + agentPort + "/metrics");
  }

  /** The value of a per-policy series of the policy "egress" in this namespace; -1 when absent. */
  static double value(String scrape, String metric, String namespace) {
    String labels = metric + "{namespace=\"" + namespace + "\",policy=\"egress\"";
    return scrape
        .lines()
        .filter(l -> l.startsWith(labels))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(-1);
  }

  static String body(String url) throws Exception {
    var response = OperatorProcess.get(url);
    assertEquals(200, response.statusCode(), url);
    return response.body();
  }

  @AfterAll
  static void stop() {
    if (agent != null) {
      agent.close();
    }
    if (target != null) {
      target.stop(0);
    }
    if (operator != null) {
      operator.close();
    }
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName(CONFIGURATION)
        .delete();
    client.close();
  }

  static Result promlint(String scrape) throws Exception {
    Path promlint = ControlPlane.toolsDir().resolve("bin/promlint");
    assertTrue(Files.isExecutable(promlint), promlint + " is missing: run hack/ensure-tools.sh");
    Path input = Files.createTempFile("scrape", ".txt");
    Files.writeString(input, scrape);
    return Processes.run(
        List.of("bash", "-c", "\"$0\" < \"$1\"", promlint.toString(), input.toString()));
  }

  @Test
  void promlintFindsNothingInTheAgentsMetrics() throws Exception {
    Result lint = promlint(agentScrape);
    assertEquals(0, lint.exit(), lint.output() + "\n" + agentScrape);
  }

  /**
   * Prefixes of the meters the JVM, Vert.x, Netty and the Java Operator SDK register in the same
   * registry: theirs to name. promlint flags some (the SDK gives its meters no HELP;
   * process_cpu_time_ns_total and system_cpu_count break its naming rules); ours must pass.
   */
  static final List<String> FRAMEWORK =
      List.of("jvm_", "process_", "system_", "netty_", "worker_pool_", "operator_sdk_", "http_");

  @Test
  void promlintFindsNothingInTheOperatorsMetrics() throws Exception {
    Result lint = promlint(operatorScrape);
    assertNotEquals(2, lint.exit(), "promlint could not parse the scrape: " + lint.output());
    List<String> ours =
        lint.stdout()
            .lines()
            .filter(problem -> FRAMEWORK.stream().noneMatch(problem::startsWith))
            .toList();
    assertEquals(List.of(), ours, lint.output());
    assertTrue(operatorScrape.contains("# HELP keepalive_webhook_failures_total "), operatorScrape);
  }

  /** The control: promlint does flag what the old agent metrics did. */
  @Test
  void promlintFlagsMetricsWithoutHelpOrUnits() throws Exception {
    Result lint =
        promlint(
            "# HELP keepalive_target_resets_on_reuse \n"
                + "# TYPE keepalive_target_resets_on_reuse counter\n"
                + "keepalive_target_resets_on_reuse 1\n");
    assertNotEquals(0, lint.exit(), lint.output());
    assertTrue(
        lint.output().contains("counter metrics should have \"_total\" suffix"), lint.output());
  }

  @Test
  void noSeriesIsNaN() {
    for (String scrape : List.of(operatorScrape, agentScrape)) {
      List<String> nan =
          scrape.lines().filter(l -> l.startsWith("keepalive_") && l.endsWith(" NaN")).toList();
      assertEquals(List.of(), nan);
    }
  }

  @Test
  void theOperatorExportsWhatUsersAskFor() {
    for (String series :
        List.of(
            "keepalive_operator_build_info{",
            "keepalive_operator_leader 1.0",
            "keepalive_webhook_certificate_expiry_timestamp_seconds ",
            "keepalive_webhook_pods_total{",
            "keepalive_policy_condition{namespace=\""
                + namespace
                + "\",policy=\"egress\",type=\"Ready\"")) {
      assertTrue(
          operatorScrape.contains("\n" + series), series + " missing from\n" + operatorScrape);
    }
    assertTrue(value(operatorScrape, "keepalive_policy_matched_pods", namespace) >= 1);
  }

  /**
   * The framework's per-resource series would carry every policy's name and outlive it; only the
   * project's per-policy gauges, written from the policies that exist, may name a policy.
   */
  @Test
  void onlyThePolicyGaugesNameAPolicy() {
    List<String> naming =
        operatorScrape
            .lines()
            .filter(l -> !l.startsWith("#") && l.contains("\"" + namespace + "\""))
            .filter(l -> !l.startsWith("keepalive_policy_"))
            .toList();
    assertEquals(List.of(), naming);
  }

  @Test
  void alertsAndDashboardQueryOnlyExportedMetrics() {
    Set<String> exported = new TreeSet<>();
    for (String scrape : List.of(operatorScrape, agentScrape)) {
      scrape
          .lines()
          .filter(l -> !l.startsWith("#") && !l.isBlank())
          .forEach(l -> exported.add(l.split("[{ ]")[0]));
    }
    List<String> unknown = new ArrayList<>();
    for (String query : MonitoringQueries.allQueries()) {
      for (String name : MonitoringQueries.metricNames(query)) {
        if (!exported.contains(name)) {
          unknown.add(name + " in " + query);
        }
      }
    }
    assertEquals(List.of(), unknown, "exported: " + exported);
  }
}

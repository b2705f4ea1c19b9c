package io.keepalive.packaging;

import static io.keepalive.packaging.Packaging.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Processes.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's alerts and dashboard queries with Prometheus' own promtool: the rules are valid, the
 * unit tests of src/test/resources/alerts pass against the rules the chart renders, every alert has
 * a test and a troubleshooting section, and every dashboard query parses.
 */
class AlertRulesIT {
  static final Path TESTS = projectDir().resolve("src/test/resources/alerts");

  static Path promtool() {
    Path path = ControlPlane.toolsDir().resolve("bin/promtool");
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException(path + " is missing: run hack/ensure-tools.sh");
    }
    return path;
  }

  @Test
  void theRenderedRulesPassTheirUnitTests() throws IOException {
    Path dir = Files.createTempDirectory("alerts");
    Files.writeString(
        dir.resolve("rules.yaml"), YAML.writeValueAsString(MonitoringQueries.ruleGroups()));
    Result check =
        exec(
            List.of(promtool().toString(), "check", "rules", dir.resolve("rules.yaml").toString()));
    assertEquals(0, check.exit(), check.output());
    assertTrue(check.output().contains("SUCCESS: 7 rules found"), check.output());

    Path tests =
        Files.copy(TESTS.resolve("keepalive-operator-test.yaml"), dir.resolve("test.yaml"));
    Result test = exec(List.of(promtool().toString(), "test", "rules", tests.toString()));
    assertEquals(0, test.exit(), test.output());
    assertTrue(test.output().contains("SUCCESS"), test.output());
  }

  /** The control: a rule file whose expectation is wrong fails, so a pass above means something. */
  @Test
  void aWrongExpectationFails() throws IOException {
    Path dir = Files.createTempDirectory("alerts");
    Files.writeString(
        dir.resolve("rules.yaml"), YAML.writeValueAsString(MonitoringQueries.ruleGroups()));
    String wrong =
        Files.readString(TESTS.resolve("keepalive-operator-test.yaml"))
            .replace("namespace: payments, policy: egress}", "namespace: shop, policy: egress}");
    Path tests = Files.writeString(dir.resolve("test.yaml"), wrong);
    Result test = exec(List.of(promtool().toString(), "test", "rules", tests.toString()));
    assertNotEquals(0, test.exit(), test.output());
  }

  @Test
  void everyAlertHasAUnitTestAndATroubleshootingSection() throws IOException {
    String tests = Files.readString(TESTS.resolve("keepalive-operator-test.yaml"));
    String troubleshooting = Files.readString(projectDir().resolve("docs/troubleshooting.md"));
    List<String> missing = new ArrayList<>();
    for (String alert : MonitoringQueries.alertExpressions().keySet()) {
      if (!tests.contains("alertname: " + alert + "\n")) {
        missing.add(alert + " has no promtool test");
      }
      if (!troubleshooting.contains("\n### " + alert + "\n")) {
        missing.add(alert + " has no section '### " + alert + "' in docs/troubleshooting.md");
      }
    }
    assertEquals(List.of(), missing);
  }

  @Test
  void everyDashboardQueryParses() throws IOException {
    Map<String, String> queries = MonitoringQueries.dashboardExpressions();
    assertTrue(queries.size() >= 15, queries.keySet().toString());
    ObjectNode file = YAML.createObjectNode();
    ArrayNode rules =
        file.putArray("groups").addObject().put("name", "dashboard").putArray("rules");
    int i = 0;
    for (String query : queries.values()) {
      rules
          .addObject()
          .put("record", "dashboard:query" + i++)
          .put("expr", MonitoringQueries.asPromQl(query));
    }
    Path path = Files.createTempFile("dashboard-queries", ".yaml");
    Files.writeString(path, YAML.writeValueAsString(file));
    Result check = exec(List.of(promtool().toString(), "check", "rules", path.toString()));
    assertEquals(0, check.exit(), queries + "\n" + check.output());
  }
}

package io.keepalive.packaging;

import static io.keepalive.packaging.Packaging.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The PromQL the chart ships: its alert rules and its Grafana dashboard's queries. */
final class MonitoringQueries {
  private static final Pattern METRIC = Pattern.compile("\\b(keepalive_[a-zA-Z0-9_]+)");

  private MonitoringQueries() {}

  /** The PrometheusRule the chart renders with prometheusRule.enabled, as a rule file's content. */
  static JsonNode ruleGroups() {
    return one(
            documents(
                template("keepalive-operator", DEPLOY_NAMESPACE, "prometheusRule.enabled=true")),
            "PrometheusRule")
        .path("spec");
  }

  static Map<String, String> alertExpressions() {
    Map<String, String> alerts = new LinkedHashMap<>();
    for (JsonNode group : ruleGroups().path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        alerts.put(rule.path("alert").asText(), rule.path("expr").asText());
      }
    }
    return alerts;
  }

  static JsonNode dashboard() {
    try {
      return new ObjectMapper()
          .readTree(chartDir().resolve("files/dashboards/keepalive-operator.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every panel's queries (rows nest theirs), by "panel title/refId". */
  static Map<String, String> dashboardExpressions() {
    Map<String, String> queries = new LinkedHashMap<>();
    collect(dashboard().path("panels"), queries);
    return queries;
  }

  private static void collect(JsonNode panels, Map<String, String> into) {
    for (JsonNode panel : panels) {
      for (JsonNode target : panel.path("targets")) {
        into.put(
            panel.path("title").asText() + "/" + target.path("refId").asText(),
            target.path("expr").asText());
      }
      collect(panel.path("panels"), into);
    }
  }

  /**
   * A dashboard query as plain PromQL: Grafana's variables replaced by what they stand for at most.
   */
  static String asPromQl(String grafanaQuery) {
    return grafanaQuery.replace("$__rate_interval", "5m").replace("$namespace", ".*");
  }

  /** The project's metric names a query reads. */
  static Set<String> metricNames(String expr) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(expr);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  static List<String> allQueries() {
    List<String> all = new ArrayList<>(alertExpressions().values());
    dashboardExpressions().values().forEach(q -> all.add(asPromQl(q)));
    return all;
  }
}

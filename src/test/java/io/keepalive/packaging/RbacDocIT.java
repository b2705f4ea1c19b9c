package io.keepalive.packaging;

import static io.keepalive.packaging.Packaging.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/rbac.md lists every rule the chart renders with default values and the opt-in rollout rights
 * (rollout.enabled=true), and nothing else: both are reduced to "kind name | group | resource |
 * verbs | resourceNames" and compared as sets.
 */
class RbacDocIT {
  static final String NAME = "keepalive-operator";

  @Test
  void theDocListsExactlyTheChartsRules() throws Exception {
    Set<String> chart = new TreeSet<>();
    for (JsonNode role :
        documents(template("keepalive-operator", DEPLOY_NAMESPACE, "rollout.enabled=true"))) {
      String kind = role.path("kind").asText();
      if (!kind.equals("Role") && !kind.equals("ClusterRole")) {
        continue;
      }
      String name = role.at("/metadata/name").asText().replace(NAME, "<name>");
      for (JsonNode rule : role.path("rules")) {
        for (JsonNode group : rule.path("apiGroups")) {
          chart.add(
              row(
                  kind + " " + name,
                  group.asText(),
                  texts(rule.path("resources")),
                  texts(rule.path("verbs")),
                  texts(rule.path("resourceNames")).stream()
                      .map(n -> n.replace(NAME + "-webhook-tls", "<name>-webhook-tls"))
                      .map(n -> n.equals(NAME) ? "<name>" : n)
                      .toList()));
        }
      }
    }
    Set<String> doc = new TreeSet<>();
    for (String line : Files.readAllLines(projectDir().resolve("docs/rbac.md"))) {
      if (!line.startsWith("| ClusterRole") && !line.startsWith("| Role")) {
        continue;
      }
      String[] cells = line.split("\\|");
      String role = cells[1].trim().replaceAll("`", "").replaceAll(" \\(.*\\)", "");
      doc.add(
          row(
              role,
              strip(cells[2]).replace("\"\"", ""),
              list(cells[3]),
              list(cells[4]),
              list(cells[5])));
    }
    assertTrue(chart.size() >= 10, chart.toString());
    assertEquals(chart, doc, "docs/rbac.md and the chart's roles differ");
  }

  private static String row(
      String role, String group, List<String> resources, List<String> verbs, List<String> names) {
    return String.join(
        " | ",
        role,
        group,
        String.join(",", new TreeSet<>(resources)),
        String.join(",", new TreeSet<>(verbs)),
        String.join(",", new TreeSet<>(names)));
  }

  private static String strip(String cell) {
    return cell.trim().replaceAll("`", "");
  }

  private static List<String> list(String cell) {
    String text = strip(cell);
    return text.isEmpty() ? List.of() : Arrays.stream(text.split(",")).map(String::trim).toList();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}

package io.keepalive.packaging;

import static io.keepalive.packaging.Packaging.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.settings.OperatorSettings;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/install.md's settings table: one name per setting. Each row's environment variable is its
 * property in the environment's spelling, every setting the operator has is a row, and every
 * variable the chart sets (in any of its modes) is a row.
 */
class SettingsDocIT {
  /** property -> environment variable, from the table. */
  static Map<String, String> table() throws Exception {
    Map<String, String> rows = new TreeMap<>();
    String doc = Files.readString(projectDir().resolve("docs/install.md"));
    String section = doc.substring(doc.indexOf("## Settings: one name"));
    for (String line : section.lines().toList()) {
      String[] cells = line.split("\\|");
      if (cells.length == 4 && cells[2].contains("`") && cells[3].contains("`")) {
        rows.put(cells[3].trim().replace("`", ""), cells[2].trim().replace("`", ""));
      }
    }
    return rows;
  }

  /** How SmallRye Config looks a property up in the environment. */
  static String environmentName(String property) {
    return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
  }

  @Test
  void eachRowIsOneNameInTwoSpellings() throws Exception {
    Map<String, String> rows = table();
    assertTrue(rows.size() >= 35, rows.toString());
    rows.forEach((property, env) -> assertEquals(environmentName(property), env, property));
  }

  @Test
  void everySettingOfTheOperatorIsARow() throws Exception {
    Set<String> settings = new TreeSet<>();
    properties("keepalive", OperatorSettings.class, settings);
    Set<String> missing = new TreeSet<>(settings);
    missing.removeAll(table().keySet());
    assertEquals(Set.of(), missing, "settings docs/install.md does not list");
    Set<String> unknown = new TreeSet<>(table().keySet());
    unknown.removeAll(settings);
    unknown.removeIf(p -> p.startsWith("quarkus."));
    assertEquals(Set.of(), unknown, "rows for settings the operator does not have");
  }

  @Test
  void everyVariableTheChartSetsIsARow() throws Exception {
    Set<String> documented = new TreeSet<>(table().values());
    // the JVM's own variable: a row without a property
    String doc = Files.readString(projectDir().resolve("docs/install.md"));
    for (String line : doc.substring(doc.indexOf("## Settings: one name")).lines().toList()) {
      String[] cells = line.split("\\|");
      if (cells.length == 4 && cells[2].contains("`")) {
        documented.add(cells[2].trim().replace("`", ""));
      }
    }
    Set<String> set = new TreeSet<>();
    for (String[] values :
        List.of(
            new String[0],
            new String[] {"webhook.certificate.mode=cert-manager"},
            new String[] {
              "watchNamespaces={a}",
              "injection.imagePullSecrets={m}",
              "injection.command={/run}",
              "injection.agent.jvmOptions=-Xmx40m",
              "webhook.namespaceSelector.matchLabels.a=b",
              "webhook.objectSelector.matchLabels.a=b",
              "webhook.matchConditions[0].name=x",
              "webhook.matchConditions[0].expression=has(object.metadata)",
              "webhook.url=https://example:9443/x"
            })) {
      set.addAll(operatorEnv(documents(template("x", DEPLOY_NAMESPACE, values))).keySet());
    }
    set.removeAll(documented);
    assertEquals(Set.of(), set, "variables the chart sets that docs/install.md does not list");
  }

  private static void properties(String prefix, Class<?> type, Set<String> into) {
    for (Method method : type.getMethods()) {
      if (Modifier.isStatic(method.getModifiers()) || method.getParameterCount() != 0) {
        continue;
      }
      String name =
          prefix + "." + method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
      Class<?> returned = method.getReturnType();
      if (returned.isInterface()
          && returned.getName().startsWith(OperatorSettings.class.getName())) {
        properties(name, returned, into);
      } else {
        into.add(name);
      }
    }
  }
}

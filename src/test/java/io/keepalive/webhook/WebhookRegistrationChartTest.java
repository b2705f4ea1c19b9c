package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.keepalive.settings.OperatorSettings;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Processes;
import io.keepalive.testing.TestSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chart renders the MutatingWebhookConfiguration and the operator server-side applies its own
 * ({@link WebhookRegistration}) over it: the two must be the same tree, or every start of the
 * operator rewrites what Helm installed. The real helm renders the chart; the operator's settings
 * come from the env the chart gives its Deployment, so a value that reaches one side but not the
 * other fails too.
 */
class WebhookRegistrationChartTest {
  static final Path CHART = Path.of("helm/keepalive-operator");
  static final YAMLMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest(name = "--namespace {0} {1}")
  @CsvSource(
      delimiter = '|',
      // the CEL below quotes with ' and the JSON with "
      quoteCharacter = '^',
      textBlock =
          """
            keepalive-system |
            team-ops         | webhook.failurePolicy=Fail,webhook.timeoutSeconds=10
            kube-system      | watchNamespaces={team-a,team-b}
            keepalive-system | webhook.path=/inject,webhook.servicePort=8443,fullnameOverride=kap
            keepalive-system | webhook.optIn=true,watchNamespaces={team-a}
            keepalive-system | webhook.namespaceSelector.matchLabels.tier=apps,webhook.objectSelector.matchExpressions[0].key=batch,webhook.objectSelector.matchExpressions[0].operator=DoesNotExist
            keepalive-system | json:webhook.matchConditions=[{"name":"not-jobs","expression":"!object.metadata.?ownerReferences.orValue([]).exists(r, r.kind == 'Job')"}]
            keepalive-system | json:webhook.namespaceSelector={"matchExpressions":[{"key":"team","operator":"In","values":["a","b"]}]},webhook.hostNetwork=true,webhook.port=10260,httpPort=10261
            team-ops         | webhook.url=https://keepalive.example:9443/mutate-pods,namespaceOverride=ops
            """)
  void theChartRendersWhatTheOperatorApplies(String namespace, String sets) throws IOException {
    List<JsonNode> docs =
        render(namespace, sets == null ? List.of() : List.of(sets.split(",(?![^{]*})")));
    JsonNode chart = one(docs, "MutatingWebhookConfiguration");
    OperatorSettings settings =
        TestSettings.fromEnv(
            operatorEnv(
                one(docs, "Deployment"),
                one(docs, "Deployment").at("/metadata/namespace").asText()));
    JsonNode operator = JSON.valueToTree(WebhookRegistration.desired(settings, null));

    assertEquals(operator.at("/metadata/name"), chart.at("/metadata/name"));
    operator
        .at("/metadata/labels")
        .fields()
        .forEachRemaining(
            label ->
                assertEquals(
                    label.getValue(),
                    chart.at("/metadata/labels").get(label.getKey()),
                    "label " + label.getKey()));
    // as trees: the order of keys is the writer's business, not the contract's
    assertEquals(
        operator.get("webhooks"),
        chart.get("webhooks"),
        () -> "operator: " + operator.get("webhooks") + "\nchart:    " + chart.get("webhooks"));
  }

  static List<JsonNode> render(String namespace, List<String> sets) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                ControlPlane.helm().toString(),
                "template",
                "x",
                CHART.toString(),
                "--namespace",
                namespace,
                "--kube-version",
                ControlPlane.kubernetesVersion()));
    for (String set : sets) {
      // "json:key=[...]" for values --set cannot spell (lists of objects, CEL with commas)
      boolean json = set.trim().startsWith("json:");
      command.add(json ? "--set-json" : "--set");
      command.add(json ? set.trim().substring(5) : set.trim());
    }
    String yaml = Processes.run(command).requireSuccess().stdout();
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(yaml)) {
      YAML.readValues(parser, JsonNode.class)
          .forEachRemaining(
              doc -> {
                if (doc != null && !doc.isEmpty()) {
                  docs.add(doc);
                }
              });
    }
    return docs;
  }

  static JsonNode one(List<JsonNode> docs, String kind) {
    List<JsonNode> found = docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    assertEquals(1, found.size(), kind + " documents");
    return found.get(0);
  }

  /**
   * The operator container's environment, with the downward API's namespace filled in as the
   * kubelet would.
   */
  static Map<String, String> operatorEnv(JsonNode deployment, String namespace) {
    Map<String, String> env = new HashMap<>();
    for (JsonNode var : deployment.at("/spec/template/spec/containers/0/env")) {
      String fieldPath = var.at("/valueFrom/fieldRef/fieldPath").asText("");
      if (var.has("value")) {
        env.put(var.get("name").asText(), var.get("value").asText());
      } else if (fieldPath.equals("metadata.namespace")) {
        env.put(var.get("name").asText(), namespace);
      }
    }
    assertTrue(env.containsKey("KEEPALIVE_NAMESPACE"), env.toString());
    return env;
  }
}

package io.keepalive.packaging;

import static io.keepalive.packaging.Packaging.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keepalive.operator.LeaderElection;
import io.keepalive.policy.PodMarks;
import io.keepalive.settings.OperatorSettings;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Processes.Result;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The chart with the real helm: lint, schema, and what each mode renders. */
class ChartIT {
  private static final String NS = "keepalive-system";

  /**
   * Settings the chart already sets that the webhook branch adds to OperatorSettings (service-port,
   * pod-security-default-enforce, certificate-validity-days). Unknown KEEPALIVE_* variables are
   * ignored by SmallRye Config, so they are harmless until that merge; remove this list once
   * OperatorSettings has them.
   */
  private static final Set<String> PENDING_SETTINGS = Set.of();

  private static List<JsonNode> render(String... sets) {
    return documents(template("keepalive-operator", NS, sets));
  }

  @Test
  void lintPassesStrictInBothCertificateModes() {
    for (String mode : List.of("self-managed", "cert-manager")) {
      String out =
          helm(
              List.of(
                  "lint",
                  "--strict",
                  "--kube-version",
                  ControlPlane.kubernetesVersion(),
                  "--set",
                  "webhook.certificate.mode=" + mode,
                  chartDir().toString()));
      assertTrue(out.contains("0 chart(s) failed"), out);
    }
  }

  @Test
  void schemaRejectsTyposAndWrongValues() {
    for (String bad :
        List.of(
            "webhok.port=1",
            "webhook.certificate.mod=cert-manager",
            "crds.enable=false",
            "image.pullpolicy=Always",
            "injection.agent.resources.requests.cpus=1",
            "unknownTopLevel=1",
            "webhook.failurePolicy=Sometimes",
            "webhook.timeoutSeconds=31",
            "webhook.certificate.mode=vault",
            "extraEnv[0].name=KEEPALIVE_NAMESPACE",
            "watchNamespaces[0]=Not_A_Namespace")) {
      Result result =
          exec(
              List.of(
                  ControlPlane.helm().toString(),
                  "template",
                  "x",
                  chartDir().toString(),
                  "--kube-version",
                  ControlPlane.kubernetesVersion(),
                  "--set",
                  bad));
      assertNotEquals(
          0, result.exit(), "helm template accepted --set " + bad + ":\n" + result.output());
      assertTrue(
          result.output().contains("values don't meet the specifications of the schema"),
          "--set " + bad + " failed, but not because of values.schema.json:\n" + result.output());
    }
    // the control: the same keys spelled right render
    render(
        "webhook.port=9443",
        "webhook.certificate.mode=cert-manager",
        "crds.enabled=false",
        "image.pullPolicy=Always",
        "injection.agent.resources.requests.cpu=1",
        "webhook.failurePolicy=Fail",
        "watchNamespaces[0]=team-a",
        "extraEnv[0].name=QUARKUS_LOG_LEVEL",
        "extraEnv[0].value=DEBUG");
  }

  @Test
  void everyObjectInTheSchemaRejectsUnknownKeys() throws IOException {
    JsonNode schema =
        new ObjectMapper().readTree(chartDir().resolve("values.schema.json").toFile());
    List<String> open = new ArrayList<>();
    walkSchema(schema, "", open);
    assertEquals(
        List.of(), open, "object schemas without additionalProperties:false (typos would pass)");
  }

  private static void walkSchema(JsonNode node, String path, List<String> open) {
    boolean object = node.path("type").asText().equals("object") || node.has("properties");
    boolean kubernetesObject =
        node.path("description").asText().contains("validated by the API server");
    boolean map = node.path("additionalProperties").isObject();
    if (object
        && !kubernetesObject
        && !map
        && !path.equals("/global")
        && !node.path("additionalProperties")
            .equals(com.fasterxml.jackson.databind.node.BooleanNode.FALSE)) {
      open.add(path.isEmpty() ? "/" : path);
    }
    node.path("properties")
        .fields()
        .forEachRemaining(e -> walkSchema(e.getValue(), path + "/" + e.getKey(), open));
    if (node.has("items")) {
      walkSchema(node.get("items"), path + "[]", open);
    }
  }

  @Test
  void everyValueIsDocumentedAndInTheSchema() throws IOException {
    List<String> lines = Files.readAllLines(chartDir().resolve("values.yaml"));
    JsonNode schema =
        new ObjectMapper().readTree(chartDir().resolve("values.schema.json").toFile());
    Deque<int[]> documented = new ArrayDeque<>(); // {indent, documented 0/1}
    Deque<String> keys = new ArrayDeque<>();
    List<String> undocumented = new ArrayList<>();
    List<String> notInSchema = new ArrayList<>();
    String previous = "";
    for (String line : lines) {
      var m = java.util.regex.Pattern.compile("^( *)([A-Za-z][A-Za-z0-9]*):").matcher(line);
      if (m.find()) {
        int indent = m.group(1).length();
        while (!documented.isEmpty() && documented.peek()[0] >= indent) {
          documented.pop();
          keys.pop();
        }
        boolean ancestorDocumented = documented.stream().anyMatch(d -> d[1] == 1);
        boolean here = previous.trim().startsWith("#");
        if (!here && !ancestorDocumented && !line.trim().endsWith(":")) {
          undocumented.add(line.trim());
        }
        documented.push(new int[] {indent, here || ancestorDocumented ? 1 : 0});
        keys.push(m.group(2));
        List<String> path = new ArrayList<>(keys);
        java.util.Collections.reverse(path);
        JsonNode s = schema;
        for (String k : path) {
          s = s.path("properties").path(k);
        }
        if (s.isMissingNode()) {
          JsonNode parent = schema;
          boolean passThrough = false;
          for (String k : path) {
            parent = parent.path("properties").path(k);
            passThrough |=
                parent.path("description").asText().contains("validated by the API server")
                    || parent.path("additionalProperties").isObject();
            if (parent.isMissingNode()) {
              break;
            }
          }
          if (!passThrough) {
            notInSchema.add(String.join(".", path));
          }
        }
      }
      if (!line.isBlank()) {
        previous = line;
      }
    }
    assertEquals(
        List.of(), undocumented, "values.yaml keys without a comment (on them or a parent)");
    assertEquals(List.of(), notInSchema, "values.yaml keys values.schema.json does not know");
  }

  @Test
  void selfManagedCertificateIsTheDefault() {
    List<JsonNode> docs = render();
    assertEquals(List.of(), ofKind(docs, "Certificate"));
    assertEquals(List.of(), ofKind(docs, "Issuer"));
    JsonNode mwc = one(docs, "MutatingWebhookConfiguration");
    assertTrue(mwc.at("/metadata/annotations").isMissingNode(), mwc.toString());
    assertFalse(
        mwc.at("/webhooks/0/clientConfig").has("caBundle"), "Helm must never own the caBundle");

    Map<String, String> env = operatorEnv(docs);
    assertEquals("true", env.get("KEEPALIVE_WEBHOOK_MANAGE_CONFIGURATION"));
    assertEquals("keepalive-operator-webhook-tls", env.get("KEEPALIVE_WEBHOOK_SECRET_NAME"));
    assertFalse(env.containsKey("KEEPALIVE_WEBHOOK_CERTIFICATE_DIR"));

    JsonNode secretRule =
        rule(named(docs, "Role", "keepalive-operator").orElseThrow(), "", "secrets", true);
    assertEquals(
        List.of("keepalive-operator-webhook-tls"), texts(secretRule.path("resourceNames")));
    JsonNode mwcRule =
        rule(
            named(docs, "ClusterRole", "keepalive-operator").orElseThrow(),
            "admissionregistration.k8s.io",
            "mutatingwebhookconfigurations",
            true);
    assertEquals(List.of(mwc.at("/metadata/name").asText()), texts(mwcRule.path("resourceNames")));
  }

  @Test
  void certManagerModeRendersCertificateIssuerAndCaInjection() {
    List<JsonNode> docs = render("webhook.certificate.mode=cert-manager");
    JsonNode certificate = one(docs, "Certificate");
    JsonNode issuer = one(docs, "Issuer");
    JsonNode mwc = one(docs, "MutatingWebhookConfiguration");
    assertEquals(
        NS + "/" + certificate.at("/metadata/name").asText(),
        mwc.at("/metadata/annotations/cert-manager.io~1inject-ca-from").asText());
    assertEquals(NS, certificate.at("/metadata/namespace").asText());
    assertEquals(
        issuer.at("/metadata/name").asText(), certificate.at("/spec/issuerRef/name").asText());
    assertTrue(issuer.at("/spec/selfSigned").isObject());
    String service = mwc.at("/webhooks/0/clientConfig/service/name").asText();
    assertTrue(
        texts(certificate.at("/spec/dnsNames")).contains(service + "." + NS + ".svc"),
        "the certificate must name the Service the API server calls: "
            + certificate.at("/spec/dnsNames"));

    JsonNode pod = one(docs, "Deployment").at("/spec/template/spec");
    Map<String, String> env = operatorEnv(docs);
    assertEquals(
        "false",
        env.get("KEEPALIVE_WEBHOOK_MANAGE_CONFIGURATION"),
        "cainjector, not the operator, owns caBundle");
    String secretName = certificate.at("/spec/secretName").asText();
    JsonNode volume =
        StreamSupport.stream(pod.path("volumes").spliterator(), false)
            .filter(v -> secretName.equals(v.at("/secret/secretName").asText()))
            .findFirst()
            .orElseThrow();
    JsonNode mount =
        StreamSupport.stream(pod.at("/containers/0/volumeMounts").spliterator(), false)
            .filter(m -> volume.get("name").asText().equals(m.get("name").asText()))
            .findFirst()
            .orElseThrow();
    assertEquals(mount.get("mountPath").asText(), env.get("KEEPALIVE_WEBHOOK_CERTIFICATE_DIR"));

    // no rights on Secrets or webhook configurations: cert-manager does that work
    assertNull(rule(named(docs, "Role", "keepalive-operator").orElseThrow(), "", "secrets", false));
    assertNull(
        rule(
            named(docs, "ClusterRole", "keepalive-operator").orElseThrow(),
            "admissionregistration.k8s.io",
            "mutatingwebhookconfigurations",
            false));

    List<JsonNode> external =
        render(
            "webhook.certificate.mode=cert-manager",
            "webhook.certificate.certManager.issuerRef.name=corp-ca",
            "webhook.certificate.certManager.issuerRef.kind=ClusterIssuer");
    assertEquals(List.of(), ofKind(external, "Issuer"));
    assertEquals("corp-ca", one(external, "Certificate").at("/spec/issuerRef/name").asText());
    assertEquals("ClusterIssuer", one(external, "Certificate").at("/spec/issuerRef/kind").asText());
  }

  @Test
  void crdsCanBeLeftOutOrLetGo() {
    assertEquals(1, ofKind(render(), "CustomResourceDefinition").size());
    assertEquals(List.of(), ofKind(render("crds.enabled=false"), "CustomResourceDefinition"));
    JsonNode letGo = one(render("crds.keep=false"), "CustomResourceDefinition");
    assertTrue(
        letGo.at("/metadata/annotations/helm.sh~1resource-policy").isMissingNode(),
        letGo.at("/metadata").toString());
  }

  @Test
  void webhookConfigurationMatchesWhatTheOperatorExpects() {
    JsonNode webhook = one(render(), "MutatingWebhookConfiguration").at("/webhooks/0");
    assertEquals(List.of("v1"), texts(webhook.path("admissionReviewVersions")));
    assertEquals("None", webhook.path("sideEffects").asText());
    assertEquals("Ignore", webhook.path("failurePolicy").asText());
    assertEquals("Never", webhook.path("reinvocationPolicy").asText());
    assertEquals(5, webhook.path("timeoutSeconds").asInt());
    assertEquals(1, webhook.path("rules").size());
    assertEquals(List.of("CREATE"), texts(webhook.at("/rules/0/operations")));
    assertEquals(List.of("pods"), texts(webhook.at("/rules/0/resources")));
    assertEquals("NotIn", webhook.at("/namespaceSelector/matchExpressions/0/operator").asText());
    assertEquals(
        "kubernetes.io/metadata.name",
        webhook.at("/namespaceSelector/matchExpressions/0/key").asText());
    assertEquals(
        List.of("kube-system", NS),
        texts(webhook.at("/namespaceSelector/matchExpressions/0/values")));
    assertEquals(
        PodMarks.INJECT_LABEL, webhook.at("/objectSelector/matchExpressions/0/key").asText());
    assertEquals(List.of("false"), texts(webhook.at("/objectSelector/matchExpressions/0/values")));
    assertEquals(
        PodMarks.COMPONENT_LABEL, webhook.at("/objectSelector/matchExpressions/1/key").asText());
    assertEquals(
        List.of(PodMarks.COMPONENT_VALUE),
        texts(webhook.at("/objectSelector/matchExpressions/1/values")));

    List<JsonNode> docs =
        render("webhook.failurePolicy=Fail", "webhook.timeoutSeconds=10", "webhook.port=9443");
    JsonNode changed = one(docs, "MutatingWebhookConfiguration").at("/webhooks/0");
    assertEquals("Fail", changed.path("failurePolicy").asText());
    assertEquals(10, changed.path("timeoutSeconds").asInt());
    Map<String, String> env = operatorEnv(docs);
    assertEquals("Fail", env.get("KEEPALIVE_WEBHOOK_FAILURE_POLICY"));
    assertEquals("10", env.get("KEEPALIVE_WEBHOOK_TIMEOUT_SECONDS"));
    assertEquals("9443", env.get("KEEPALIVE_WEBHOOK_PORT"));
    JsonNode service = named(docs, "Service", "keepalive-operator-webhook").orElseThrow();
    assertEquals("webhook", service.at("/spec/ports/0/targetPort").asText());
    assertEquals(
        9443,
        one(docs, "Deployment")
            .at("/spec/template/spec/containers/0/ports/1/containerPort")
            .asInt());
  }

  @Test
  void operatorPodsAreExcludedFromTheirOwnWebhook() {
    JsonNode labels =
        one(render("podLabels.team=platform"), "Deployment").at("/spec/template/metadata/labels");
    assertEquals(PodMarks.COMPONENT_VALUE, labels.path(PodMarks.COMPONENT_LABEL).asText());
    assertEquals("platform", labels.path("team").asText());
  }

  @Test
  void watchNamespacesNarrowRightsAndWebhook() {
    List<JsonNode> docs = render("watchNamespaces={team-a,team-b}");
    assertEquals("team-a,team-b", operatorEnv(docs).get("KEEPALIVE_WATCH_NAMESPACES"));
    assertTrue(
        named(docs, "ClusterRoleBinding", "keepalive-operator-policies").isEmpty(),
        "with watchNamespaces the policy rights must not be cluster-wide");
    List<String> bound =
        ofKind(docs, "RoleBinding").stream()
            .filter(b -> b.at("/roleRef/name").asText().equals("keepalive-operator-policies"))
            .map(b -> b.at("/metadata/namespace").asText())
            .toList();
    assertEquals(List.of("team-a", "team-b"), bound);
    JsonNode in =
        one(docs, "MutatingWebhookConfiguration")
            .at("/webhooks/0/namespaceSelector/matchExpressions/2");
    assertEquals("In", in.path("operator").asText());
    assertEquals(List.of("team-a", "team-b"), texts(in.path("values")));

    List<JsonNode> all = render();
    assertFalse(operatorEnv(all).containsKey("KEEPALIVE_WATCH_NAMESPACES"));
    assertTrue(named(all, "ClusterRoleBinding", "keepalive-operator-policies").isPresent());
  }

  @Test
  void webhookCanBeTurnedOff() {
    List<JsonNode> docs = render("webhook.enabled=false");
    assertEquals(List.of(), ofKind(docs, "MutatingWebhookConfiguration"));
    assertEquals(List.of(), ofKind(docs, "Service"));
    assertEquals("false", operatorEnv(docs).get("KEEPALIVE_WEBHOOK_ENABLED"));
    assertNull(rule(named(docs, "Role", "keepalive-operator").orElseThrow(), "", "secrets", false));
  }

  @Test
  void injectedImageDefaultsToTheOperatorImage() {
    List<JsonNode> docs = render("image.tag=1.2.3");
    String image = one(docs, "Deployment").at("/spec/template/spec/containers/0/image").asText();
    assertEquals("ghcr.io/keepalive-io/keepalive-operator:1.2.3", image);
    assertEquals(image, operatorEnv(docs).get("KEEPALIVE_IMAGE"));
    assertEquals(
        "ghcr.io/keepalive-io/keepalive-operator:0.1.0",
        operatorEnv(render()).get("KEEPALIVE_IMAGE"),
        "the default tag is the chart's appVersion");
    assertEquals(
        "mirror.example/keepalive:1.2.3",
        operatorEnv(
                render("image.tag=1.2.3", "injection.image.repository=mirror.example/keepalive"))
            .get("KEEPALIVE_IMAGE"));
    String digest = "sha256:" + "a".repeat(64);
    assertEquals(
        "ghcr.io/keepalive-io/keepalive-operator@" + digest,
        operatorEnv(render("image.digest=" + digest)).get("KEEPALIVE_IMAGE"));
  }

  @Test
  void leaderElectionLeaseIsTheOneTheOperatorUses() {
    List<JsonNode> docs = render("replicaCount=2");
    assertEquals(2, one(docs, "Deployment").at("/spec/replicas").asInt());
    JsonNode lease =
        rule(
            named(docs, "Role", "keepalive-operator").orElseThrow(),
            "coordination.k8s.io",
            "leases",
            true);
    assertEquals(List.of(LeaderElection.LEASE_NAME), texts(lease.path("resourceNames")));
  }

  @Test
  void optionalObjectsAreOffByDefault() {
    List<JsonNode> docs = render();
    assertEquals(List.of(), ofKind(docs, "PodDisruptionBudget"));
    assertEquals(List.of(), ofKind(docs, "ServiceMonitor"));
    List<JsonNode> on =
        render(
            "podDisruptionBudget.enabled=true",
            "replicaCount=2",
            "serviceMonitor.enabled=true",
            "serviceMonitor.labels.release=prometheus");
    JsonNode pdb = one(on, "PodDisruptionBudget");
    JsonNode podLabels = one(on, "Deployment").at("/spec/template/metadata/labels");
    pdb.at("/spec/selector/matchLabels")
        .fields()
        .forEachRemaining(
            e ->
                assertEquals(
                    e.getValue().asText(),
                    podLabels.path(e.getKey()).asText(),
                    "PDB selects the operator pods"));
    JsonNode monitor = one(on, "ServiceMonitor");
    assertEquals("prometheus", monitor.at("/metadata/labels/release").asText());
    assertEquals("/q/metrics", monitor.at("/spec/endpoints/0/path").asText());
    assertTrue(named(on, "Service", "keepalive-operator-metrics").isPresent());
  }

  /** Every KEEPALIVE_* variable the chart sets, in every mode, names a real operator setting. */
  @Test
  void everyEnvironmentVariableIsAnOperatorSetting() {
    Set<String> known = new TreeSet<>();
    settingNames("KEEPALIVE", OperatorSettings.class, known);
    Set<String> unknown = new TreeSet<>();
    for (String[] sets :
        List.of(
            new String[0],
            new String[] {"webhook.certificate.mode=cert-manager"},
            new String[] {"watchNamespaces={a}"},
            new String[] {"webhook.enabled=false"},
            new String[] {"injection.agent.jvmOptions=-XX:+UseSerialGC -Xmx48m"},
            new String[] {
              "injection.imagePullSecrets={mirror}",
              "injection.command={/app/run}",
              "webhook.optIn=true",
              "webhook.namespaceSelector.matchLabels.a=b",
              "webhook.objectSelector.matchLabels.a=b",
              "webhook.matchConditions[0].name=x",
              "webhook.matchConditions[0].expression=has(object.metadata)",
              "webhook.url=https://example:9443/x"
            })) {
      for (String name : operatorEnv(render(sets)).keySet()) {
        if (name.startsWith("KEEPALIVE_")
            && !known.contains(name)
            && !PENDING_SETTINGS.contains(name)) {
          unknown.add(name);
        }
      }
    }
    assertEquals(
        Set.of(),
        unknown,
        "the chart sets variables no OperatorSettings method reads; known: " + known);
    for (String pending : PENDING_SETTINGS) {
      assertFalse(
          known.contains(pending),
          pending + " is in OperatorSettings now: drop it from PENDING_SETTINGS");
    }
  }

  @Test
  void agentJvmOptionsReachTheOperatorOnlyWhenSet() {
    assertFalse(
        operatorEnv(render()).containsKey("KEEPALIVE_AGENT_JVM_OPTIONS"),
        "empty: the operator's default");
    assertEquals(
        "-XX:+UseSerialGC -Xmx48m",
        operatorEnv(render("injection.agent.jvmOptions=-XX:+UseSerialGC -Xmx48m"))
            .get("KEEPALIVE_AGENT_JVM_OPTIONS"));
  }

  private static void settingNames(String prefix, Class<?> type, Set<String> into) {
    for (Method method : type.getMethods()) {
      if (Modifier.isStatic(method.getModifiers()) || method.getParameterCount() != 0) {
        continue;
      }
      String env =
          prefix + "_" + method.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
      Class<?> returned = method.getReturnType();
      if (returned.isInterface()
          && returned.getName().startsWith(OperatorSettings.class.getName())) {
        settingNames(env, returned, into);
      } else {
        into.add(env);
      }
    }
  }

  private static JsonNode rule(JsonNode role, String group, String resource, boolean required) {
    for (JsonNode rule : role.path("rules")) {
      if (texts(rule.path("apiGroups")).contains(group)
          && texts(rule.path("resources")).contains(resource)
          && rule.has("resourceNames")) {
        return rule;
      }
    }
    if (required) {
      fail(
          role.at("/metadata/name")
              + " has no rule limited by name for "
              + resource
              + ": "
              + role.path("rules"));
    }
    for (JsonNode rule : role.path("rules")) {
      if (texts(rule.path("resources")).contains(resource)) {
        return rule;
      }
    }
    return null;
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}

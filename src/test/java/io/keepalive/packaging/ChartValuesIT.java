package io.keepalive.packaging;

import static io.keepalive.packaging.ChartIT.texts;
import static io.keepalive.packaging.Packaging.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.keepalive.policy.PodMarks;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Processes.Result;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The values platform engineers reach for (namespace and labels, RBAC and ServiceAccount brought by
 * someone else, high availability, webhook reachability, the injected pods' settings, monitoring,
 * NetworkPolicy), rendered by the real helm; combinations that would hurt are refused.
 */
class ChartValuesIT {
  private static final String NS = "keepalive-system";

  private static List<JsonNode> render(String... sets) {
    return documents(template("keepalive-operator", NS, sets));
  }

  /** helm template's output when it refuses the values. */
  private static String refusal(String... sets) {
    List<String> command =
        new ArrayList<>(
            List.of(
                ControlPlane.helm().toString(),
                "template",
                "x",
                chartDir().toString(),
                "--kube-version",
                ControlPlane.kubernetesVersion()));
    for (String set : sets) {
      command.add("--set");
      command.add(set);
    }
    Result result = exec(command);
    assertNotEquals(0, result.exit(), "accepted: " + String.join(" ", sets));
    return result.output();
  }

  @Test
  void namespaceOverrideAndCommonLabelsReachEveryObject() {
    List<JsonNode> docs =
        render(
            "namespaceOverride=platform",
            "commonLabels.team=netops",
            "serviceMonitor.enabled=true",
            "podDisruptionBudget.enabled=true",
            "replicaCount=2");
    for (JsonNode doc : docs) {
      String what = doc.path("kind").asText() + "/" + doc.at("/metadata/name").asText();
      assertEquals("netops", doc.at("/metadata/labels/team").asText(), what);
      if (doc.at("/metadata/namespace").isTextual()) {
        assertEquals("platform", doc.at("/metadata/namespace").asText(), what);
      }
    }
    JsonNode webhook = one(docs, "MutatingWebhookConfiguration").at("/webhooks/0");
    assertEquals("platform", webhook.at("/clientConfig/service/namespace").asText());
    assertTrue(
        texts(webhook.at("/namespaceSelector/matchExpressions/0/values")).contains("platform"),
        "the operator's own namespace is left out of the webhook");
  }

  @Test
  void rbacAndServiceAccountCanComeFromElsewhere() {
    List<JsonNode> docs =
        render("rbac.create=false", "serviceAccount.create=false", "serviceAccount.name=ops-sa");
    assertEquals(List.of(), ofKind(docs, "ServiceAccount"));
    assertEquals(List.of(), ofKind(docs, "Role"));
    assertEquals(List.of(), ofKind(docs, "RoleBinding"));
    assertEquals(List.of(), ofKind(docs, "ClusterRoleBinding"));
    // the roles for policy authors are a separate choice
    assertEquals(2, ofKind(docs, "ClusterRole").size());
    assertEquals(
        "ops-sa", one(docs, "Deployment").at("/spec/template/spec/serviceAccountName").asText());

    List<JsonNode> named = render("serviceAccount.name=ops-sa");
    assertEquals("ops-sa", one(named, "ServiceAccount").at("/metadata/name").asText());
    for (JsonNode binding : ofKind(named, "ClusterRoleBinding")) {
      assertEquals("ops-sa", binding.at("/subjects/0/name").asText());
    }
  }

  @Test
  void policyRolesAggregateIntoTheBuiltInRoles() {
    List<JsonNode> docs = render();
    JsonNode edit = named(docs, "ClusterRole", "keepalive-operator-policies-edit").orElseThrow();
    JsonNode view = named(docs, "ClusterRole", "keepalive-operator-policies-view").orElseThrow();
    assertEquals(
        "true", edit.at("/metadata/labels/rbac.authorization.k8s.io~1aggregate-to-admin").asText());
    assertEquals(
        "true", edit.at("/metadata/labels/rbac.authorization.k8s.io~1aggregate-to-edit").asText());
    assertEquals(
        "true", view.at("/metadata/labels/rbac.authorization.k8s.io~1aggregate-to-view").asText());
    assertFalse(
        edit.toString().contains("keepalivepolicies/status"),
        "the status is the operator's: editors never write it");
    assertTrue(
        named(
                render("rbac.aggregateToDefaultRoles=false"),
                "ClusterRole",
                edit.at("/metadata/name").asText())
            .isEmpty());
  }

  @Test
  void aDisruptionBudgetThatBlocksEveryDrainIsRefused() {
    assertTrue(
        refusal("podDisruptionBudget.enabled=true")
            .contains("would block every node drain: raise replicaCount"));
    assertTrue(
        refusal("podDisruptionBudget.enabled=true", "podDisruptionBudget.maxUnavailable=0")
            .contains("maxUnavailable 0 would block every node drain"));
    assertEquals(
        1,
        one(render("podDisruptionBudget.enabled=true", "replicaCount=2"), "PodDisruptionBudget")
            .at("/spec/minAvailable")
            .asInt());
    JsonNode byMax =
        one(
            render("podDisruptionBudget.enabled=true", "podDisruptionBudget.maxUnavailable=1"),
            "PodDisruptionBudget");
    assertEquals(1, byMax.at("/spec/maxUnavailable").asInt());
    assertTrue(byMax.at("/spec/minAvailable").isMissingNode(), byMax.toString());
  }

  @Test
  void replicasSpreadOverNodes() {
    JsonNode pod = one(render("replicaCount=3"), "Deployment").at("/spec/template/spec");
    JsonNode soft =
        pod.at("/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/0");
    assertEquals("kubernetes.io/hostname", soft.at("/podAffinityTerm/topologyKey").asText());
    JsonNode labels = one(render(), "Deployment").at("/spec/template/metadata/labels");
    soft.at("/podAffinityTerm/labelSelector/matchLabels")
        .fields()
        .forEachRemaining(
            e -> assertEquals(e.getValue().asText(), labels.path(e.getKey()).asText()));
    assertTrue(
        one(render("podAntiAffinity=hard"), "Deployment")
            .at(
                "/spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/0")
            .isObject());
    assertTrue(
        one(render("podAntiAffinity="), "Deployment")
            .at("/spec/template/spec/affinity")
            .isMissingNode());
    JsonNode spread =
        one(
                render(
                    "topologySpreadConstraints[0].maxSkew=1",
                    "topologySpreadConstraints[0].topologyKey=topology.kubernetes.io/zone",
                    "topologySpreadConstraints[0].whenUnsatisfiable=ScheduleAnyway",
                    "updateStrategy.rollingUpdate.maxUnavailable=0"),
                "Deployment")
            .at("/spec");
    assertEquals(
        "operator",
        spread
            .at(
                "/template/spec/topologySpreadConstraints/0/labelSelector/matchLabels/app.kubernetes.io~1component")
            .asText(),
        "a constraint without a selector gets the operator's pod labels");
    assertEquals(0, spread.at("/strategy/rollingUpdate/maxUnavailable").asInt());
  }

  @Test
  void leaseTimingsReachTheOperator() {
    Map<String, String> env =
        operatorEnv(render("leaderElection.leaseDurationSeconds=60", "replicaCount=2"));
    assertEquals("60", env.get("KEEPALIVE_LEADER_ELECTION_LEASE_DURATION_SECONDS"));
    assertEquals("10", env.get("KEEPALIVE_LEADER_ELECTION_RENEW_DEADLINE_SECONDS"));
  }

  @Test
  void theWebhookCanListenOnTheNodeNetwork() {
    List<JsonNode> docs =
        render("webhook.hostNetwork=true", "webhook.port=10260", "httpPort=10261");
    JsonNode pod = one(docs, "Deployment").at("/spec/template/spec");
    assertTrue(pod.path("hostNetwork").asBoolean());
    assertEquals("ClusterFirstWithHostNet", pod.path("dnsPolicy").asText());
    assertEquals(10260, pod.at("/containers/0/ports/1/containerPort").asInt());
    assertEquals(10261, pod.at("/containers/0/ports/0/containerPort").asInt());
    Map<String, String> env = operatorEnv(docs);
    assertEquals("10260", env.get("KEEPALIVE_WEBHOOK_PORT"));
    assertEquals("10261", env.get("QUARKUS_HTTP_PORT"));
    assertEquals(
        "Default",
        one(render("webhook.dnsPolicy=Default"), "Deployment")
            .at("/spec/template/spec/dnsPolicy")
            .asText());
    assertTrue(
        one(render(), "Deployment").at("/spec/template/spec/dnsPolicy").isMissingNode(),
        "Kubernetes' default without hostNetwork");
    assertTrue(
        refusal("webhook.hostNetwork=true", "webhook.port=8080")
            .contains("webhook.port and httpPort are both 8080"));
  }

  @Test
  void injectedPodSettingsReachTheOperator() {
    String digest = "sha256:" + "b".repeat(64);
    Map<String, String> env =
        operatorEnv(
            render(
                "injection.imagePullSecrets={mirror-a,mirror-b}",
                "injection.image.repository=mirror.example/keepalive",
                "injection.image.digest=" + digest,
                "injection.agent.runAsUser=10001",
                "injection.agent.resources.limits.cpu=null",
                "injection.command={/opt/keepalive/run}"));
    assertEquals("mirror-a,mirror-b", env.get("KEEPALIVE_IMAGE_PULL_SECRETS"));
    assertEquals("mirror.example/keepalive@" + digest, env.get("KEEPALIVE_IMAGE"));
    assertEquals("10001", env.get("KEEPALIVE_AGENT_RUN_AS_USER"));
    assertEquals("none", env.get("KEEPALIVE_AGENT_CPU_LIMIT"));
    assertEquals("100m", env.get("KEEPALIVE_INIT_CONTAINER_CPU_LIMIT"));
    assertEquals("/opt/keepalive/run", env.get("KEEPALIVE_COMMAND"));
    assertTrue(refusal("injection.command[0]=a\\,b").contains("schema"));
  }

  @Test
  void monitoringObjectsScrapeWhatTheOperatorAndTheAgentsServe() throws Exception {
    List<JsonNode> docs =
        render(
            "serviceMonitor.enabled=true",
            "serviceMonitor.scrapeTimeout=5s",
            "serviceMonitor.namespace=monitoring",
            "podMonitor.enabled=true",
            "prometheusRule.enabled=true",
            "grafanaDashboard.enabled=true",
            "httpPort=9080");
    JsonNode endpoint = one(docs, "ServiceMonitor").at("/spec/endpoints/0");
    assertEquals("5s", endpoint.path("scrapeTimeout").asText());
    assertTrue(endpoint.path("honorLabels").asBoolean(), "the policies' namespace label stays");
    assertEquals("monitoring", one(docs, "ServiceMonitor").at("/metadata/namespace").asText());
    assertEquals(
        9080,
        named(docs, "Service", "keepalive-operator-metrics")
            .orElseThrow()
            .at("/spec/ports/0/port")
            .asInt());

    JsonNode agents = one(docs, "PodMonitor").at("/spec/podMetricsEndpoints/0");
    assertEquals(InjectedContainers.AGENT_PORT_NAME, agents.path("port").asText());
    assertEquals(
        "__meta_kubernetes_pod_annotationpresent_" + metaLabel(PodMarks.AGENT_PORT_ANNOTATION),
        agents.at("/relabelings/0/sourceLabels/0").asText());
    assertEquals("keep", agents.at("/relabelings/0/action").asText());
    assertEquals(
        "__meta_kubernetes_pod_annotation_" + metaLabel(PodMarks.POLICY_ANNOTATION),
        agents.at("/relabelings/1/sourceLabels/0").asText());
    assertTrue(one(docs, "PodMonitor").at("/spec/namespaceSelector/any").asBoolean());

    JsonNode dashboard = one(docs, "ConfigMap");
    assertEquals("1", dashboard.at("/metadata/labels/grafana_dashboard").asText());
    assertEquals(
        Files.readString(chartDir().resolve("files/dashboards/keepalive-operator.json")).strip(),
        dashboard.at("/data/keepalive-operator.json").asText().strip());

    List<String> alerts = new ArrayList<>();
    one(docs, "PrometheusRule")
        .at("/spec/groups/0/rules")
        .forEach(r -> alerts.add(r.path("alert").asText()));
    assertEquals(7, alerts.size(), alerts.toString());
    List<JsonNode> fewer =
        render(
            "prometheusRule.enabled=true", "prometheusRule.disabled.KeepaliveIdleCanaryLost=true");
    assertEquals(6, one(fewer, "PrometheusRule").at("/spec/groups/0/rules").size());
  }

  /** How Prometheus' Kubernetes discovery spells an annotation name in a meta label. */
  private static String metaLabel(String annotation) {
    return annotation.replaceAll("[^a-zA-Z0-9_]", "_");
  }

  @Test
  void theNetworkPolicyLetsInTheApiServerAndOutToAgents() {
    assertTrue(
        refusal("networkPolicy.enabled=true").contains("needs networkPolicy.apiServerCidrs"));
    JsonNode policy =
        one(
                render(
                    "networkPolicy.enabled=true",
                    "networkPolicy.apiServerCidrs={172.20.0.0/16}",
                    "webhook.port=9443",
                    "injection.agent.port=9911"),
                "NetworkPolicy")
            .path("spec");
    assertEquals("172.20.0.0/16", policy.at("/ingress/0/from/0/ipBlock/cidr").asText());
    assertEquals(9443, policy.at("/ingress/0/ports/0/port").asInt());
    List<Integer> egressPorts = new ArrayList<>();
    policy
        .path("egress")
        .forEach(rule -> rule.path("ports").forEach(p -> egressPorts.add(p.path("port").asInt())));
    assertTrue(egressPorts.containsAll(List.of(53, 443, 9911)), egressPorts.toString());
    assertEquals(List.of(), ofKind(render(), "NetworkPolicy"));
  }
}

package io.keepalive.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.ControlPlaneResource;
import io.keepalive.testing.Policies;
import io.keepalive.testing.Processes.Result;
import io.keepalive.testing.TestNamespaces;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generated CRD documents itself and follows the API conventions, as the real API server and
 * kubectl see it: a description on every field, `kubectl explain` from the root down, a category,
 * conditions as a list keyed by type, printer columns that select exactly their field.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
class CrdDocumentationApiserverTest {
  static KubernetesClient client;
  static String namespace;

  @BeforeAll
  static void namespace() {
    client = ControlPlane.client();
    namespace = TestNamespaces.create(client, "crd-doc");
  }

  @AfterAll
  static void close() {
    client.close();
  }

  static CustomResourceDefinitionVersion served() {
    return client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(KeepalivePolicy.CRD_NAME)
        .get()
        .getSpec()
        .getVersions()
        .get(0);
  }

  @Test
  void everyFieldHasADescription() {
    List<String> undocumented = new ArrayList<>();
    walk(served().getSchema().getOpenAPIV3Schema(), "", undocumented);
    assertEquals(List.of(), undocumented);
  }

  /** The root and every named property; array items are documented by their array's field. */
  private static void walk(JSONSchemaProps node, String path, List<String> undocumented) {
    if (node.getDescription() == null || node.getDescription().isBlank()) {
      undocumented.add(path.isEmpty() ? "(root)" : path);
    }
    if (node.getProperties() != null) {
      node.getProperties().forEach((name, child) -> walk(child, path + "." + name, undocumented));
    }
    if (node.getItems() != null && node.getItems().getSchema() != null) {
      JSONSchemaProps items = node.getItems().getSchema();
      if (items.getProperties() != null) {
        items
            .getProperties()
            .forEach((name, child) -> walk(child, path + "[]." + name, undocumented));
      }
    }
  }

  @Test
  void kubectlExplainDocumentsTheKindAndTheConditions() {
    String kind = ControlPlane.kubectl("explain", "keepalivepolicy");
    assertTrue(kind.contains("KeepalivePolicy declares the TCP keepalive sysctls"), kind);
    String status = ControlPlane.kubectl("explain", "keepalivepolicy.status.conditions.status");
    assertTrue(status.contains("True, False or Unknown"), status);
    // the enum itself is checked on the CRD (conditionsFollowTheApiConventions): kubectl 1.34
    // shows it, 1.29 does not
    String time =
        ControlPlane.kubectl("explain", "keepalivepolicy.status.conditions.lastTransitionTime");
    assertTrue(time.contains("RFC 3339"), time);
  }

  @Test
  void conditionsFollowTheApiConventions() {
    JSONSchemaProps conditions =
        served()
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("status")
            .getProperties()
            .get("conditions");
    assertEquals("map", conditions.getXKubernetesListType());
    assertEquals(List.of("type"), conditions.getXKubernetesListMapKeys());
    JSONSchemaProps item = conditions.getItems().getSchema();
    assertTrue(
        item.getRequired()
            .containsAll(List.of("type", "status", "lastTransitionTime", "reason", "message")),
        item.getRequired().toString());
    assertEquals("date-time", item.getProperties().get("lastTransitionTime").getFormat());
    assertEquals(3, item.getProperties().get("status").getEnum().size());
  }

  @Test
  void theApiServerRefusesTwoConditionsOfOneTypeAndABadStatus() throws Exception {
    client
        .resource(Policies.policy(namespace, "conditions", Map.of("app", "c"), 120, 15, 4))
        .create();
    String twice =
        status(
            "{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"Applied\",\"message\":\"m\",\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"},"
                + "{\"type\":\"Ready\",\"status\":\"False\",\"reason\":\"Applied\",\"message\":\"m\",\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"}");
    assertTrue(twice.contains("Duplicate value"), twice);
    String maybe =
        status(
            "{\"type\":\"Ready\",\"status\":\"Maybe\",\"reason\":\"Applied\",\"message\":\"m\",\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"}");
    // 1.29 names the field from conditions on, 1.34 from status on
    assertTrue(maybe.contains("conditions[0].status: Unsupported value: \"Maybe\""), maybe);
    String noTime =
        status("{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"Applied\",\"message\":\"m\"}");
    assertTrue(noTime.contains("lastTransitionTime: Required value"), noTime);
    // the control: a well-formed condition is accepted
    assertEquals(
        "",
        status(
            "{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"Applied\",\"message\":\"m\",\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"}"));
  }

  /** Patches the status subresource with these conditions; "" on success, else the refusal. */
  private static String status(String conditions) throws Exception {
    Path patch = Files.createTempFile("status", ".json");
    Files.writeString(patch, "{\"status\":{\"conditions\":[" + conditions + "]}}");
    Result result =
        ControlPlane.kubectlResult(
            "patch",
            "keepalivepolicy",
            "conditions",
            "-n",
            namespace,
            "--subresource=status",
            "--type=merge",
            "--patch-file",
            patch.toString());
    return result.exit() == 0 ? "" : result.output();
  }

  @Test
  void theCategoryListsPolicies() throws Exception {
    client.resource(Policies.policy(namespace, "listed", Map.of("app", "l"), 120, 15, 4)).create();
    // a fresh discovery cache: one left by an earlier run of a CRD without the category would hide
    // it
    String listed =
        ControlPlane.kubectl(
            "--cache-dir",
            Files.createTempDirectory("kubectl-cache").toString(),
            "get",
            "keepalive",
            "-n",
            namespace,
            "-o",
            "name");
    assertTrue(listed.contains("keepalivepolicy.keepalive.io/listed"), listed);
  }

  @Test
  void printerColumnsSelectExactlyTheirField() {
    for (var column : served().getAdditionalPrinterColumns()) {
      assertTrue(
          column.getJsonPath().startsWith(".") && !column.getJsonPath().contains(".."),
          column.getName() + ": " + column.getJsonPath());
    }
    assertEquals(
        List.of("Time", "Interval", "Probes", "Matched", "Injected", "Reason", "Ready", "Age"),
        served().getAdditionalPrinterColumns().stream().map(c -> c.getName()).toList());
  }
}
